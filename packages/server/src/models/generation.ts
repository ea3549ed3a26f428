import { OxvError, hasDetectionOutputs, type ModelCard, type RunnerInfo } from '@oxidizedvision/runtime';
import { createBatcher } from '../batching/batcher.js';
import { isIdleCollectionEnabled } from '../idle-collection.js';
import { createWorkerPool, type WorkerPool } from '../workers/worker-pool.js';
import type { Emitter } from './events.js';
import type { StatsRecorder } from './stats.js';
import type { BatchingConfig, InferRequest, InferResult, InstanceConfig } from './types.js';
import { validateRequest } from './validate-request.js';

/**
 * One loaded copy of a model version: its workers, its batcher, the config it was loaded with. A hot
 * reload of the same version creates a new generation, swaps it in, and retires the old one, which
 * finishes what it had accepted.
 */
export interface Generation {
  readonly info: RunnerInfo;
  readonly card: ModelCard | null;
  /** As served: maxBatchSize is 0 when the model has no dynamic batch dim; threads is the resolved budget. */
  readonly batching: BatchingConfig;
  readonly instances: InstanceConfig;
  readonly sha256: string;
  infer(request: InferRequest): Promise<InferResult>;
  /** Requests queued or running. */
  pending(): number;
  whenIdle(): Promise<void>;
  /** Lets accepted requests finish, then releases the workers. */
  retire(): Promise<void>;
  /** Fails whatever is queued or running with `error` and releases the workers now. Idempotent. */
  close(error: OxvError): Promise<void>;
}

export interface GenerationOptions {
  name: string;
  version: string;
  model: Uint8Array | string;
  sha256: string;
  card: ModelCard | null;
  batching: BatchingConfig;
  instances: InstanceConfig;
  workerUrl: URL;
  workerNice: number;
  events: Emitter;
  stats: StatsRecorder;
  /** Called once the generation has released its workers, so the manager stops tracking it. */
  onClosed: (generation: Generation) => void;
}

/** Starts the workers (each warms up), then wires the batcher. Rejects with the load error. */
export async function loadGeneration(options: GenerationOptions): Promise<Generation> {
  const { name, version, events, stats } = options;
  const label = `model "${name}" version ${version}`;
  const log = (level: 'info' | 'warn' | 'error', msg: string): void =>
    events.emit('log', { level, msg, model: name, version });
  const pool: WorkerPool = await createWorkerPool({
    url: options.workerUrl,
    init: {
      model: options.model,
      label,
      intraOpThreads: options.instances.threads,
      nice: options.workerNice,
      warmupShapes: warmupShapes(options.card),
      collectWhenIdle: isIdleCollectionEnabled(),
    },
    count: options.instances.count,
    onCapacity: () => batcher.pump(),
    onLog: log,
  });
  const batching = servedBatching(options.batching, pool.info, (msg) => log('warn', `${label}: ${msg}`));
  const batcher = createBatcher({
    config: batching,
    executor: pool,
    label,
    hooks: {
      onRequest(e) {
        stats.request(e);
        const event = {
          model: name,
          version,
          ok: e.ok,
          queueMs: e.queueMs,
          computeMs: e.computeMs,
          totalMs: e.totalMs,
          ...(e.tag === undefined ? {} : { protocol: e.tag }),
        };
        events.emit('request', e.reason === undefined ? event : { ...event, reason: e.reason });
      },
      onBatch(e) {
        stats.batch(e);
        if (e.ok) events.emit('batch', { model: name, version, size: e.size, computeMs: e.computeMs });
      },
    },
  });
  log(
    'info',
    `${label}: loaded (${options.instances.count} × ${options.instances.threads} threads, warm-up ${pool.warmupMs.toFixed(1)} ms)`,
  );

  let closing: Promise<void> | undefined;
  const generation: Generation = {
    info: pool.info,
    card: options.card,
    batching,
    instances: options.instances,
    sha256: options.sha256,
    infer(request) {
      try {
        validateRequest(pool.info.inputs, pool.info.outputs, request);
      } catch (error) {
        const reason = error instanceof OxvError ? error.code : 'ERR_INPUT_SHAPE';
        stats.request({ ok: false, reason, queueMs: 0, computeMs: 0, totalMs: 0, inputMs: 0, outputMs: 0, samples: 0 });
        const protocol = request.protocol === undefined ? {} : { protocol: request.protocol };
        events.emit('request', {
          model: name,
          version,
          ok: false,
          reason,
          queueMs: 0,
          computeMs: 0,
          totalMs: 0,
          ...protocol,
        });
        return Promise.reject(error);
      }
      const submitted = batcher.submit({
        inputs: request.inputs,
        ...(request.outputs === undefined ? {} : { outputs: request.outputs }),
        ...(request.timeoutMs === undefined ? {} : { timeoutMs: request.timeoutMs }),
        ...(request.protocol === undefined ? {} : { tag: request.protocol }),
      });
      return submitted.then((response) => ({
        modelName: name,
        modelVersion: version,
        outputs: response.outputs,
        timing: response.timing,
      }));
    },
    pending: () => batcher.pending(),
    whenIdle: () => batcher.whenIdle(),
    async retire() {
      await batcher.whenIdle();
      await generation.close(new OxvError('ERR_MODEL_NOT_READY', `${label} was unloaded`));
    },
    close(error) {
      closing ??= (async () => {
        batcher.close(error);
        await pool.close(error);
        options.onClosed(generation);
      })();
      return closing;
    },
  };
  return generation;
}

/**
 * Batching needs a leading batch dim on every input and output. A model with a fixed first dim is served
 * unbatched (Triton's max_batch_size 0) rather than refused: `--max-batch-size` applies to every
 * `--model`, and one fixed-shape model among them should still load. A detector's outputs (boxes,
 * scores, labels) lead with a symbolic dim too, but it counts detections, not images: concatenating
 * requests would mix their detections, so a detector is served unbatched whatever its input says.
 */
function servedBatching(config: BatchingConfig, info: RunnerInfo, warn: (msg: string) => void): BatchingConfig {
  if (config.maxBatchSize === 0) return config;
  const detector = hasDetectionOutputs(info.outputs);
  const batchable = [...info.inputs, ...info.outputs].every((t) => typeof t.shape[0] === 'string');
  if (batchable && !detector) return config;
  const why = detector
    ? "the model's detection outputs have a row per detection, not per request"
    : 'the model has no dynamic batch dim';
  warn(`max_batch_size ${config.maxBatchSize} ignored: ${why}, so requests run one by one`);
  return Object.freeze({ ...config, maxBatchSize: 0, preferredBatchSizes: [] });
}

/** The card's example input shapes, used for warm-up instead of 1 for every symbolic dim. */
function warmupShapes(card: ModelCard | null): Record<string, number[]> {
  const shapes: Record<string, number[]> = {};
  for (const example of card?.example_inputs ?? []) shapes[example.name] = [...example.shape];
  return shapes;
}
