import { fileURLToPath } from 'node:url';
import { isOxvError } from '@oxidizedvision/runtime';
import { BRIDGE_SCRIPT, modelSpec, type PythonInfo } from '@oxidizedvision/tools';
import { startSession, type WorkerSession } from './internal/session.js';
import { inputsForBatch, type InputTemplate } from './inputs.js';
import { measureUntilStable, type WindowSamples } from './stability.js';
import { histogram } from './stats.js';
import type { BenchmarkTarget } from './target.js';
import type { BenchmarkRunner } from './runner-names.js';
import type { BenchmarkLibraryOptions, BenchmarkResult, BenchmarkSettings, RunnerFailure } from './types.js';

/** Compiled beside this file, in dist/worker/. */
const ORT_WORKER = fileURLToPath(new URL('./worker/ort-worker.js', import.meta.url));
const MB = 1024 * 1024;
const SEED = 0;

export interface RunnerJob {
  runner: BenchmarkRunner;
  target: BenchmarkTarget;
  settings: Readonly<BenchmarkSettings>;
  templates: InputTemplate[];
  python: PythonInfo | undefined;
  requested: boolean;
  /** Numbering for progress: the (runner, batch size) steps done before this runner, and in all. */
  step: number;
  steps: number;
}

interface LoadReply {
  load_ms: number;
  baseline_rss_bytes: number;
  threads?: number;
  device?: string;
}

const ORT_PROVIDERS: Partial<Record<BenchmarkRunner, string>> = {
  'onnxruntime-node': 'cpu',
  'onnxruntime-web': 'wasm',
  'onnxruntime-node-cuda': 'cuda',
  'onnxruntime-node-tensorrt': 'tensorrt',
};

function start(
  job: RunnerJob,
  options: BenchmarkLibraryOptions,
): { session: WorkerSession; load: Record<string, unknown> } {
  const label = `${job.runner} worker`;
  const logger = options.logger;
  const provider = ORT_PROVIDERS[job.runner];
  if (provider === undefined) {
    if (job.target.kind !== 'config' || !job.python) throw new Error(`${job.runner} needs a config and a Python`);
    const onEvent = (e: { message: string }) =>
      options.onProgress?.({ stage: 'load', runner: job.runner, message: `${job.runner}: ${e.message}` });
    const session = startSession(job.python.python, [BRIDGE_SCRIPT, 'benchmark'], {
      label,
      env: { PYTHONUNBUFFERED: '1', PYTHONDONTWRITEBYTECODE: '1' },
      onEvent,
      ...(logger ? { logger } : {}),
    });
    const load = {
      runner: job.runner,
      model: modelSpec(job.target.config),
      torchscript: job.target.torchscript,
      device: job.settings.device,
      threads: job.settings.threads,
    };
    return { session, load };
  }
  const session = startSession(process.execPath, [ORT_WORKER], { label, ...(logger ? { logger } : {}) });
  const runtime = job.runner === 'onnxruntime-web' ? 'onnxruntime-web' : 'onnxruntime-node';
  return { session, load: { runner: runtime, model: job.target.onnx, provider, threads: job.settings.threads } };
}

/** What the runtime really used: torch says; onnxruntime-web under Node always runs single-threaded WASM. */
function effectiveThreads(job: RunnerJob, reply: LoadReply): number | null {
  if (reply.threads !== undefined) return reply.threads;
  return job.runner === 'onnxruntime-web' ? 1 : job.settings.threads;
}

function failure(job: RunnerJob, batch: number | null, err: unknown): RunnerFailure {
  return {
    runner: job.runner,
    batch_size: batch,
    code: isOxvError(err) ? err.code : 'ERR_INFERENCE',
    message: err instanceof Error ? err.message : String(err),
    requested: job.requested,
  };
}

async function timeWindow(session: WorkerSession, settings: BenchmarkSettings): Promise<WindowSamples> {
  const request = settings.iters !== null ? { iters: settings.iters } : { duration_ms: settings.duration_s! * 1000 };
  const reply = await session.call<{ latencies_ns: number[]; wall_ns: number }>('window', request);
  return { latencies_ms: reply.latencies_ns.map((ns) => ns / 1e6), wall_ms: reply.wall_ns / 1e6 };
}

/** One runner in its own process: load once, then each batch size ascending (first inference, warmup, windows). */
export async function benchmarkRunner(
  job: RunnerJob,
  options: BenchmarkLibraryOptions = {},
): Promise<{ results: BenchmarkResult[]; failures: RunnerFailure[] }> {
  const emit = options.onProgress ?? (() => undefined);
  const { settings } = job;
  const results: BenchmarkResult[] = [];
  const failures: RunnerFailure[] = [];
  emit({
    stage: 'load',
    runner: job.runner,
    message: `${job.runner}: loading ${job.target.model}`,
    step: job.step,
    steps: job.steps,
  });
  const { session, load } = start(job, options);
  try {
    let loaded: LoadReply;
    try {
      loaded = await session.call<LoadReply>('load', load);
    } catch (err) {
      failures.push(failure(job, null, err));
      return { results, failures };
    }
    const device = loaded.device ?? ORT_PROVIDERS[job.runner]!;
    for (const [index, batch] of settings.batch_sizes.entries()) {
      const step = job.step + index;
      try {
        const inputs = inputsForBatch(job.templates, batch);
        const prepared = await session.call<{ first_inference_ms: number }>('prepare', {
          inputs,
          warmup: settings.warmup,
          seed: SEED,
        });
        const measured = await measureUntilStable(
          () => timeWindow(session, settings),
          { tolerance_pct: settings.stability_pct, max_windows: settings.max_windows },
          (w, i) =>
            emit({
              stage: 'window',
              runner: job.runner,
              batch_size: batch,
              window: i + 1,
              max_windows: settings.max_windows,
              p50_ms: w.p50_ms,
              step,
              steps: job.steps,
              message: `${job.runner} batch ${batch}: window ${i + 1} p50 ${w.p50_ms.toFixed(3)} ms`,
            }),
        );
        const rss = await session.call<{ peak_rss_bytes: number; peak_gpu_bytes?: number }>('rss');
        const throughput = (batch * measured.iterations) / (measured.wall_ms / 1000);
        results.push({
          runner: job.runner,
          batch_size: batch,
          device,
          threads: effectiveThreads(job, loaded),
          inputs,
          latency_ms: measured.stats,
          throughput_ips: throughput,
          peak_rss_mb: rss.peak_rss_bytes / MB,
          baseline_rss_mb: loaded.baseline_rss_bytes / MB,
          ...(rss.peak_gpu_bytes !== undefined ? { peak_gpu_mb: rss.peak_gpu_bytes / MB } : {}),
          load_ms: loaded.load_ms,
          first_inference_ms: prepared.first_inference_ms,
          iterations: measured.iterations,
          stable: measured.stable,
          p50_spread_pct: measured.p50_spread_pct,
          windows: measured.windows,
          histogram: histogram(measured.latencies_ms, 24, measured.stats.p99),
        });
        emit({
          stage: 'batch',
          runner: job.runner,
          batch_size: batch,
          step: step + 1,
          steps: job.steps,
          message: `${job.runner} batch ${batch}: p50 ${measured.stats.p50.toFixed(3)} ms, ${throughput.toFixed(1)} images/s${measured.stable ? '' : ` (not stable: p50 spread ${measured.p50_spread_pct.toFixed(1)}%)`}`,
        });
      } catch (err) {
        failures.push(failure(job, batch, err));
        if (!session.alive()) break; // the worker died (e.g. out of memory): larger batches would too
      }
    }
  } finally {
    await session.close();
  }
  return { results, failures };
}
