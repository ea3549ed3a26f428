import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { OxvError } from '@oxidizedvision/runtime';
import { createNodeSession, toNodeTensor } from '@oxidizedvision/runtime/node';
import type { Feeds } from './inputs.js';

export interface MeasuredLayer {
  /** Node name in the graph onnxruntime executed (after its fusions, e.g. Conv+Relu → one FusedConv). */
  name: string;
  op_type: string;
  avg_ms: number;
  percent: number;
}

export interface MeasuredOpType {
  op_type: string;
  count: number;
  avg_ms: number;
  percent: number;
}

export interface Measurement {
  runs: number;
  warmup: number;
  threads: number | null;
  /** Mean wall time of one run as the profiler saw it (model_run events). */
  run_ms: number;
  /** Sum of the per-node kernel times of one run; the rest of run_ms is scheduling and copies. */
  kernel_ms: number;
  /** Slowest first. */
  layers: MeasuredLayer[];
  by_op_type: MeasuredOpType[];
}

export interface MeasureOptions {
  runs: number;
  warmup: number;
  threads?: number | undefined;
}

interface TraceEvent {
  cat?: string;
  name?: string;
  dur?: number;
  args?: { op_name?: string };
}

/**
 * Per-node time from onnxruntime's own profiler: the session is created with a profile file prefix
 * (the Node binding profiles only with one; startProfiling() is a no-op there), runs `warmup + runs` times,
 * and endProfiling() writes a Chrome-trace JSON whose "Node" events carry each kernel's duration in µs.
 * Warm-up runs are profiled too, so their events are dropped by run index before averaging.
 */
export async function measureModel(model: string, feeds: Feeds, options: MeasureOptions): Promise<Measurement> {
  const dir = mkdtempSync(join(tmpdir(), 'oxv-profile-'));
  try {
    // A raw session, not a Runner: only it can end profiling, which is when the trace gets written.
    const session = await createNodeSession(model, {
      profileFilePrefix: join(dir, 'trace'),
      ...(options.threads ? { intraOpThreads: options.threads } : {}),
    });
    const ortFeeds = Object.fromEntries(Object.entries(feeds).map(([name, t]) => [name, toNodeTensor(t)]));
    for (let i = 0; i < options.warmup + options.runs; i++) await session.run(ortFeeds);
    session.endProfiling();
    await session.release();
    const file = readdirSync(dir).find((f) => f.endsWith('.json'));
    if (!file) throw new OxvError('ERR_INFERENCE', 'onnxruntime wrote no profile trace');
    const events = JSON.parse(readFileSync(join(dir, file), 'utf8')) as TraceEvent[];
    return summarise(events, options);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Turns trace events into per-node and per-op-type averages over the measured (non-warm-up) runs. */
export function summarise(events: TraceEvent[], options: MeasureOptions): Measurement {
  const runs = events.filter((e) => e.cat === 'Session' && e.name === 'model_run');
  const measuredRuns = runs.slice(-options.runs);
  // Node events of run k lie between the start of model_run k and its end; events arrive in run order, so
  // the kernel events of the last `runs` runs are those after the warm-up runs' count of each node.
  const kernels = events.filter((e) => e.cat === 'Node' && e.name?.endsWith('_kernel_time'));
  const perNode = new Map<string, { op: string; times: number[] }>();
  for (const e of kernels) {
    const name = e.name!.slice(0, -'_kernel_time'.length);
    const entry = perNode.get(name) ?? { op: e.args?.op_name ?? '?', times: [] };
    entry.times.push(e.dur ?? 0);
    perNode.set(name, entry);
  }
  const layers = [...perNode.entries()].map(([name, { op, times }]) => {
    const measured = times.slice(-options.runs);
    return { name, op_type: op, avg_ms: measured.reduce((a, b) => a + b, 0) / measured.length / 1000, percent: 0 };
  });
  const kernelMs = layers.reduce((a, l) => a + l.avg_ms, 0);
  for (const l of layers) l.percent = kernelMs > 0 ? (100 * l.avg_ms) / kernelMs : 0;
  layers.sort((a, b) => b.avg_ms - a.avg_ms);

  const byOp = new Map<string, MeasuredOpType>();
  for (const l of layers) {
    const entry = byOp.get(l.op_type) ?? { op_type: l.op_type, count: 0, avg_ms: 0, percent: 0 };
    entry.count += 1;
    entry.avg_ms += l.avg_ms;
    entry.percent += l.percent;
    byOp.set(l.op_type, entry);
  }
  const runMs = measuredRuns.length
    ? measuredRuns.reduce((a, e) => a + (e.dur ?? 0), 0) / measuredRuns.length / 1000
    : kernelMs;
  return {
    runs: options.runs,
    warmup: options.warmup,
    threads: options.threads ?? null,
    run_ms: runMs,
    kernel_ms: kernelMs,
    layers,
    by_op_type: [...byOp.values()].sort((a, b) => b.avg_ms - a.avg_ms),
  };
}
