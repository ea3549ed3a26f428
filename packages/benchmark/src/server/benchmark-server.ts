import { loadavg } from 'node:os';
import { OxvError } from '@oxidizedvision/runtime';
import { inputsForBatch } from '../inputs.js';
import { machineInfo } from '../machine.js';
import { runLevel, type Outcome } from './load-level.js';
import { describeFetchError, fetchModelMetadata, modelUrl, serverInputTemplates } from './metadata.js';
import { buildInferRequest, type InferRequest } from './payload.js';
import type { LevelResult, ServerBenchmarkOptions, ServerBenchmarkReport } from './types.js';

const DEFAULTS = { concurrency: [1, 4, 16, 64], durationS: 5, warmup: 2, requestTimeoutMs: 60_000 };

function checkPositiveInts(name: string, values: number[]): void {
  if (values.length === 0 || !values.every((v) => Number.isSafeInteger(v) && v >= 1)) {
    throw new OxvError('ERR_USAGE', `${name} must be positive integers, got ${JSON.stringify(values)}`);
  }
}

/** One request with the whole answer read: a keep-alive socket is only reused once its body is drained. */
function sender(url: URL, request: InferRequest, timeoutMs: number): () => Promise<Outcome> {
  return async () => {
    try {
      const response = await fetch(url, {
        method: 'POST',
        body: request.body,
        headers: request.headers,
        signal: AbortSignal.timeout(timeoutMs),
      });
      const body = await response.arrayBuffer();
      if (response.ok) return { ok: true };
      const text = new TextDecoder().decode(body.slice(0, 300));
      return { ok: false, error: `HTTP ${response.status}: ${text}` };
    } catch (err) {
      return { ok: false, error: describeFetchError(err) };
    }
  };
}

/**
 * A load generator for any Open Inference Protocol v2 server (ours, Triton, KServe): reads the model's
 * metadata, builds a random input, then runs each concurrency level for a fixed time with closed-loop
 * clients. Requests go only to `options.url`. Node's fetch keeps connections alive, one per client.
 */
export async function benchmarkServer(options: ServerBenchmarkOptions): Promise<ServerBenchmarkReport> {
  const started_at = new Date().toISOString();
  const load = loadavg();
  const emit = options.onProgress ?? (() => undefined);
  const concurrency = [...new Set(options.concurrency ?? DEFAULTS.concurrency)].sort((a, b) => a - b);
  checkPositiveInts('concurrency levels', concurrency);
  const durationS = options.durationS ?? DEFAULTS.durationS;
  const warmup = options.warmup ?? DEFAULTS.warmup;
  if (!(durationS > 0)) throw new OxvError('ERR_USAGE', `duration must be > 0 seconds, got ${durationS}`);
  if (!Number.isSafeInteger(warmup) || warmup < 0)
    throw new OxvError('ERR_USAGE', `warmup must be an integer ≥ 0, got ${warmup}`);
  const inferUrl = modelUrl(options.url, options.model, '/infer');

  const metadata = await fetchModelMetadata(options.url, options.model);
  const { templates, batchSizes } = serverInputTemplates(metadata, options.inputShapes ?? []);
  const batches = [...new Set(batchSizes(options.batchSizes))].sort((a, b) => a - b);
  checkPositiveInts('batch sizes', batches);
  const protocol = options.binary ? 'binary' : 'json';
  const steps = batches.length * concurrency.length;
  emit({
    stage: 'plan',
    step: 0,
    steps,
    message: `Load test of ${options.model} at ${inferUrl.origin}: ${protocol} payloads, concurrency ${concurrency.join(', ')}`,
  });

  const results: LevelResult[] = [];
  for (const batch of batches) {
    const send = sender(
      inferUrl,
      buildInferRequest(inputsForBatch(templates, batch), options.binary ?? false),
      options.requestTimeoutMs ?? DEFAULTS.requestTimeoutMs,
    );
    for (const level of concurrency) {
      const result = await runLevel(send, {
        concurrency: level,
        batchSize: batch,
        warmup,
        durationMs: durationS * 1000,
      });
      results.push(result);
      emit({
        stage: 'level',
        batch_size: batch,
        step: results.length,
        steps,
        message: `batch ${batch}, ${level} client(s): ${result.throughput_rps.toFixed(1)} infer/s, p50 ${result.latency_ms ? result.latency_ms.p50.toFixed(2) : '–'} ms, ${result.errors} error(s)`,
      });
    }
  }
  return {
    kind: 'server',
    server: options.url,
    model: options.model,
    protocol,
    started_at,
    inputs: inputsForBatch(templates, batches[0]!).map((i) => ({ name: i.name, datatype: i.dtype, shape: i.shape })),
    settings: { concurrency, batch_sizes: batches, duration_s: durationS, warmup },
    results,
    ok: results.every((r) => r.requests > 0),
    machine: machineInfo({ torch: null, python: null }, load),
  };
}
