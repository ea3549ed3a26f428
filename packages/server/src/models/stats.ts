import type { BatchOutcome, RequestOutcome } from '../batching/types.js';
import type { ModelStats } from './types.js';

type Stat = { count: number; ns: number };

/** Cumulative statistics of one model version, in Triton's statistics-extension shape. */
export interface StatsRecorder {
  request(e: RequestOutcome): void;
  batch(e: BatchOutcome): void;
  /** Whether anything was ever recorded (stats() lists versions that have served). */
  used(): boolean;
  snapshot(name: string, version: string): ModelStats;
}

const toNs = (ms: number): number => Math.round(ms * 1e6);

/**
 * Triton's semantics: success/fail count requests (a batch-8 request counts 1) with their whole time;
 * queue and compute_* count successful requests, each charged its batch's time; inference_count counts
 * samples; execution_count and batch_stats count model executions.
 */
export function createStatsRecorder(): StatsRecorder {
  const stat = (): Stat => ({ count: 0, ns: 0 });
  const inference = {
    success: stat(),
    fail: stat(),
    queue: stat(),
    compute_input: stat(),
    compute_infer: stat(),
    compute_output: stat(),
  };
  const byBatchSize = new Map<number, Stat>();
  let inferenceCount = 0;
  let executionCount = 0;
  let lastInference = 0;
  let used = false;
  const add = (s: Stat, ms: number): void => {
    s.count++;
    s.ns += toNs(ms);
  };

  return {
    request(e) {
      used = true;
      if (!e.ok) {
        add(inference.fail, e.totalMs);
        return;
      }
      add(inference.success, e.totalMs);
      add(inference.queue, e.queueMs);
      add(inference.compute_input, e.inputMs);
      add(inference.compute_infer, e.computeMs);
      add(inference.compute_output, e.outputMs);
      inferenceCount += e.samples;
      lastInference = Date.now();
    },
    batch(e) {
      used = true;
      if (!e.ok) return;
      executionCount++;
      let s = byBatchSize.get(e.size);
      if (s === undefined) byBatchSize.set(e.size, (s = stat()));
      add(s, e.computeMs);
    },
    used: () => used,
    snapshot(name, version) {
      const copy = (s: Stat): Stat => ({ count: s.count, ns: s.ns });
      return {
        name,
        version,
        last_inference: lastInference,
        inference_count: inferenceCount,
        execution_count: executionCount,
        inference_stats: {
          success: copy(inference.success),
          fail: copy(inference.fail),
          queue: copy(inference.queue),
          compute_input: copy(inference.compute_input),
          compute_infer: copy(inference.compute_infer),
          compute_output: copy(inference.compute_output),
        },
        batch_stats: [...byBatchSize.entries()]
          .sort(([a], [b]) => a - b)
          .map(([batch_size, s]) => ({ batch_size, compute_infer: copy(s) })),
      };
    },
  };
}
