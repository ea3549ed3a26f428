import { summarize } from '../stats.js';
import type { LevelResult } from './types.js';

export type Outcome = { ok: true } | { ok: false; error: string };

export interface LevelOptions {
  concurrency: number;
  batchSize: number;
  /** Requests per client before the clock starts (all clients at once, so the server sees the full load). */
  warmup: number;
  durationMs: number;
}

/**
 * Closed loop, as perf_analyzer's concurrency mode: each of `concurrency` clients sends a request, waits
 * for the whole answer, and sends the next. Only requests that finish inside the window count, in latency
 * and in throughput; ones still in flight at the end are awaited (so no socket is left mid-request) and
 * dropped, which keeps throughput = completed / window exact.
 */
export async function runLevel(send: () => Promise<Outcome>, options: LevelOptions): Promise<LevelResult> {
  const clients = Array.from({ length: options.concurrency });
  await Promise.all(
    clients.map(async () => {
      for (let i = 0; i < options.warmup; i++) await send();
    }),
  );
  const latencies: number[] = [];
  const samples = new Set<string>();
  let errors = 0;
  const cpuStart = process.cpuUsage();
  const start = performance.now();
  const deadline = start + options.durationMs;
  await Promise.all(
    clients.map(async () => {
      while (performance.now() < deadline) {
        const sent = performance.now();
        const outcome = await send();
        const done = performance.now();
        if (done > deadline) break;
        if (outcome.ok) latencies.push(done - sent);
        else {
          errors += 1;
          if (samples.size < 3) samples.add(outcome.error);
        }
      }
    }),
  );
  const cpu = process.cpuUsage(cpuStart);
  const elapsedMs = performance.now() - start; // the window plus the in-flight tail the CPU time includes
  const seconds = options.durationMs / 1000;
  const rps = latencies.length / seconds;
  return {
    batch_size: options.batchSize,
    concurrency: options.concurrency,
    requests: latencies.length,
    errors,
    duration_s: seconds,
    throughput_rps: rps,
    throughput_ips: rps * options.batchSize,
    latency_ms: latencies.length > 0 ? summarize(latencies) : null,
    error_samples: [...samples],
    client_cpu_pct: ((cpu.user + cpu.system) / 1000 / elapsedMs) * 100,
  };
}
