import { availableParallelism } from 'node:os';
import type { BatchingConfig, InstanceConfig, ModelSpec } from './types.js';
import { checkInt, checkNumber, checkObject, checkOneOf } from './checks.js';

export type ControlMode = 'none' | 'poll' | 'explicit';

/** Which version folders of a repository model are loaded (Triton's version_policy): the N highest, or all. */
export type VersionPolicy = { latest: number } | 'all';

export interface RepositoryOptions {
  /** Folder in Triton's layout: `<dir>/<name>/<version>/model.onnx`, optional `<dir>/<name>/config.json`. */
  dir: string;
  /**
   * none (default): load every model at start, never rescan. poll: also rescan every pollSecs and hot-reload
   * changes. explicit: load nothing at start; only load(name) does. load()/unload() work in every mode.
   */
  controlMode?: ControlMode;
  /** Seconds between rescans in poll mode. Default 15 (Triton's). Fractions are allowed (tests use 0.2). */
  pollSecs?: number;
  /** Batching and instances of models whose config.json does not set them. */
  defaults?: { batching?: Partial<BatchingConfig>; instances?: Partial<InstanceConfig> };
  /** Default { latest: 1 }: only the highest version is loaded. A model's config.json can override it. */
  versionPolicy?: VersionPolicy;
}

export interface ModelManagerOptions {
  /** Models named one by one (`--model name=path.onnx`), served as version "1". */
  models?: ModelSpec[];
  repository?: RepositoryOptions;
  /** Cores the default thread budget divides among instances. Default os.availableParallelism(). */
  cores?: number;
  /** The worker script. Default: the built dist/workers/inference-worker.js. Tests use it to inject faults. */
  workerUrl?: URL;
  /**
   * Nice value (0–19) of the inference threads, Linux only; 0 leaves them at the server's priority. Default
   * 5: with every core busy in onnxruntime, the event loop (HTTP, batching, /v2/health/live) still gets a
   * core as soon as it has work. See DEFAULT_WORKER_NICE.
   */
  workerNice?: number;
}

export interface ResolvedRepository {
  readonly dir: string;
  readonly controlMode: ControlMode;
  readonly pollSecs: number;
  readonly defaults: Readonly<{ batching: BatchingConfig; instances: InstanceConfig }>;
  readonly versionPolicy: VersionPolicy;
}

export interface ResolvedManagerOptions {
  readonly models: readonly ModelSpec[];
  readonly repository: ResolvedRepository | null;
  readonly cores: number;
  readonly workerUrl: URL;
  readonly workerNice: number;
}

/**
 * Batching when nothing is configured. maxQueueDelayMs 0 is Triton's default: no added latency, yet
 * requests that arrive while every instance is busy still leave together as one batch.
 */
export const DEFAULT_BATCHING: Readonly<BatchingConfig> = Object.freeze({
  maxBatchSize: 8,
  maxQueueDelayMs: 0,
  preferredBatchSizes: Object.freeze([]) as unknown as number[],
  maxQueueSize: 256,
  timeoutMs: 60_000,
});

/** One instance; threads 0 means the automatic budget floor(cores / all instances), at least 1. */
/**
 * Two instances sharing the cores (threads 0 = the cores divided among all instances). Measured on the
 * example UNet on 2 cores (docs/benchmarks.md): 2 × 1 thread served 20% more over HTTP than 1 × 2, because
 * a single session's intra-op threads wait for each other whenever the event loop takes one of their
 * cores. One instance with every thread gives the lowest latency to a lone request (`--instances 1`).
 */
export const DEFAULT_INSTANCES: Readonly<InstanceConfig> = Object.freeze({ count: 2, threads: 0 });

/**
 * Inference threads run at nice 5 (Linux): measured on 2 cores, /v2/health/live p99 at saturation fell from
 * 20.8 to 10.0 ms with the same throughput, since the event loop no longer queues behind onnxruntime.
 */
export const DEFAULT_WORKER_NICE = 5;

export const DEFAULT_POLL_SECS = 15;
export const DEFAULT_VERSION_POLICY: VersionPolicy = Object.freeze({ latest: 1 });

const BATCHING_KEYS = ['maxBatchSize', 'maxQueueDelayMs', 'preferredBatchSizes', 'maxQueueSize', 'timeoutMs'];

/**
 * Fills a partial batching config from `base` and checks it. maxQueueSize 0 and timeoutMs 0 mean
 * unbounded / no timeout (as in Triton); preferred sizes must lie in 1..maxBatchSize.
 */
export function resolveBatchingConfig(
  partial: Partial<BatchingConfig> = {},
  base: Readonly<BatchingConfig> = DEFAULT_BATCHING,
  path = 'batching',
): BatchingConfig {
  checkObject(partial, path, BATCHING_KEYS);
  const merged = { ...base, ...stripUndefined(partial) };
  const maxBatchSize = checkInt(merged.maxBatchSize, `${path}.maxBatchSize`, 0);
  const preferred = merged.preferredBatchSizes;
  if (!Array.isArray(preferred)) throw new TypeError(`${path}.preferredBatchSizes must be an array of integers`);
  preferred.forEach((size, i) => {
    checkInt(size, `${path}.preferredBatchSizes[${i}]`, 1);
    if (size > maxBatchSize && maxBatchSize > 0) {
      throw new RangeError(`${path}.preferredBatchSizes[${i}] (${size}) exceeds maxBatchSize (${maxBatchSize})`);
    }
  });
  return Object.freeze({
    maxBatchSize,
    maxQueueDelayMs: checkNumber(merged.maxQueueDelayMs, `${path}.maxQueueDelayMs`, 0),
    preferredBatchSizes: Object.freeze([...new Set(preferred)].sort((a, b) => a - b)) as number[],
    maxQueueSize: checkInt(merged.maxQueueSize, `${path}.maxQueueSize`, 0),
    timeoutMs: checkNumber(merged.timeoutMs, `${path}.timeoutMs`, 0),
  });
}

export function resolveInstanceConfig(
  partial: Partial<InstanceConfig> = {},
  base: Readonly<InstanceConfig> = DEFAULT_INSTANCES,
  path = 'instances',
): InstanceConfig {
  checkObject(partial, path, ['count', 'threads']);
  const merged = { ...base, ...stripUndefined(partial) };
  return Object.freeze({
    count: checkInt(merged.count, `${path}.count`, 1),
    threads: checkInt(merged.threads, `${path}.threads`, 0),
  });
}

export function resolveVersionPolicy(value: unknown, path: string): VersionPolicy {
  if (value === 'all') return 'all';
  const policy = checkObject(value, path, ['latest']);
  return Object.freeze({ latest: checkInt(policy.latest, `${path}.latest`, 1) });
}

/** Checks the manager options once and returns a frozen copy with every default filled in. */
export function resolveManagerOptions(options: ModelManagerOptions): ResolvedManagerOptions {
  checkObject(options, 'options', ['models', 'repository', 'cores', 'workerUrl', 'workerNice']);
  const models = options.models ?? [];
  if (!Array.isArray(models)) throw new TypeError('options.models must be an array of ModelSpec');
  const seen = new Set<string>();
  const resolvedModels = models.map((spec, i) => {
    const resolved = resolveModelSpec(spec, `options.models[${i}]`);
    if (seen.has(resolved.name)) throw new RangeError(`options.models has two models named "${resolved.name}"`);
    seen.add(resolved.name);
    return resolved;
  });
  const cores = options.cores === undefined ? availableParallelism() : checkInt(options.cores, 'options.cores', 1);
  if (options.workerUrl !== undefined && !(options.workerUrl instanceof URL)) {
    throw new TypeError('options.workerUrl must be a URL');
  }
  const workerNice =
    options.workerNice === undefined ? DEFAULT_WORKER_NICE : checkInt(options.workerNice, 'options.workerNice', 0);
  if (workerNice > 19) throw new RangeError(`options.workerNice must be between 0 and 19, got ${workerNice}`);
  return Object.freeze({
    models: Object.freeze(resolvedModels),
    repository: options.repository === undefined ? null : resolveRepository(options.repository),
    cores,
    workerUrl: options.workerUrl ?? new URL('../workers/inference-worker.js', import.meta.url),
    workerNice,
  });
}

/** Model names appear in URL paths and metric labels; a slash or blank name would break both. */
export function checkModelName(name: unknown, path: string): string {
  if (typeof name !== 'string' || !/^[^/\\\s][^/\\]*$/.test(name) || name.trim() !== name) {
    throw new RangeError(
      `${path} must be a non-empty name without slashes or surrounding spaces, got ${JSON.stringify(name)}`,
    );
  }
  return name;
}

function resolveModelSpec(spec: ModelSpec, path: string): ModelSpec {
  checkObject(spec, path, ['name', 'source', 'batching', 'instances']);
  const source = checkObject(spec.source, `${path}.source`, ['kind', 'path', 'dir']);
  const kind = checkOneOf(source.kind, `${path}.source.kind`, ['file', 'repository'] as const);
  const location = kind === 'file' ? source.path : source.dir;
  if (typeof location !== 'string' || location === '') {
    throw new TypeError(`${path}.source.${kind === 'file' ? 'path' : 'dir'} must be a non-empty string`);
  }
  return Object.freeze({
    name: checkModelName(spec.name, `${path}.name`),
    source: Object.freeze(kind === 'file' ? { kind, path: location } : { kind, dir: location }),
    batching: resolveBatchingConfig(spec.batching, DEFAULT_BATCHING, `${path}.batching`),
    instances: resolveInstanceConfig(spec.instances, DEFAULT_INSTANCES, `${path}.instances`),
  });
}

function resolveRepository(repository: RepositoryOptions): ResolvedRepository {
  const path = 'options.repository';
  checkObject(repository, path, ['dir', 'controlMode', 'pollSecs', 'defaults', 'versionPolicy']);
  if (typeof repository.dir !== 'string' || repository.dir === '')
    throw new TypeError(`${path}.dir must be a non-empty string`);
  const defaults = checkObject(repository.defaults ?? {}, `${path}.defaults`, ['batching', 'instances']);
  return Object.freeze({
    dir: repository.dir,
    controlMode: checkOneOf(repository.controlMode ?? 'none', `${path}.controlMode`, [
      'none',
      'poll',
      'explicit',
    ] as const),
    pollSecs: repository.pollSecs === undefined ? DEFAULT_POLL_SECS : positive(repository.pollSecs, `${path}.pollSecs`),
    defaults: Object.freeze({
      batching: resolveBatchingConfig(
        defaults.batching as Partial<BatchingConfig> | undefined,
        DEFAULT_BATCHING,
        `${path}.defaults.batching`,
      ),
      instances: resolveInstanceConfig(
        defaults.instances as Partial<InstanceConfig> | undefined,
        DEFAULT_INSTANCES,
        `${path}.defaults.instances`,
      ),
    }),
    versionPolicy:
      repository.versionPolicy === undefined
        ? DEFAULT_VERSION_POLICY
        : resolveVersionPolicy(repository.versionPolicy, `${path}.versionPolicy`),
  });
}

function positive(value: unknown, path: string): number {
  const n = checkNumber(value, path, 0);
  if (n === 0) throw new RangeError(`${path} must be greater than 0`);
  return n;
}

function stripUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
