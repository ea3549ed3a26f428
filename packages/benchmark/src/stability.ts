import { percentile, summarize } from './stats.js';
import type { LatencyStats, WindowSummary } from './types.js';

/** What one window of timed inferences returns: per-inference latencies and the window's wall time. */
export interface WindowSamples {
  latencies_ms: number[];
  wall_ms: number;
}

export interface StabilityRule {
  /** Two consecutive windows agree when their p50 differ by at most this many percent of the smaller. */
  tolerance_pct: number;
  /** Give up after this many windows (at least 2) and report the spread instead. */
  max_windows: number;
}

export interface StableMeasurement {
  stable: boolean;
  /** Every window, in order. */
  windows: WindowSummary[];
  /** Samples of the reported windows: the last two when stable, all of them otherwise. */
  latencies_ms: number[];
  /** Wall time and inference count of the reported windows, for throughput. */
  wall_ms: number;
  iterations: number;
  stats: LatencyStats;
  p50_spread_pct: number;
}

/** perf_analyzer's stability idea with its p50 in place of its throughput: consecutive windows must agree. */
export function windowsAgree(previous: number, current: number, tolerancePct: number): boolean {
  const low = Math.min(previous, current);
  const high = Math.max(previous, current);
  if (low <= 0) return high === low;
  return (high - low) / low <= tolerancePct / 100;
}

function spreadPct(p50s: number[]): number {
  const low = Math.min(...p50s);
  return low > 0 ? ((Math.max(...p50s) - low) / low) * 100 : 0;
}

/**
 * Runs windows until the last two agree (at least two windows, at most max_windows). Reporting the last
 * two windows rather than all of them keeps a slow start (caches, CPU frequency, another process finishing)
 * out of a result that was, in the end, stable; an unstable result keeps every window and says so.
 */
export async function measureUntilStable(
  runWindow: (index: number) => Promise<WindowSamples>,
  rule: StabilityRule,
  onWindow?: (summary: WindowSummary, index: number) => void,
): Promise<StableMeasurement> {
  if (!Number.isInteger(rule.max_windows) || rule.max_windows < 2) {
    throw new RangeError(`max_windows must be an integer ≥ 2, got ${rule.max_windows}`);
  }
  const samples: WindowSamples[] = [];
  const windows: WindowSummary[] = [];
  let stable = false;
  while (windows.length < rule.max_windows && !stable) {
    const window = await runWindow(windows.length);
    if (window.latencies_ms.length === 0) throw new RangeError('a measurement window returned no samples');
    const sorted = [...window.latencies_ms].sort((a, b) => a - b);
    const summary = { iterations: sorted.length, wall_ms: window.wall_ms, p50_ms: percentile(sorted, 0.5) };
    samples.push(window);
    windows.push(summary);
    onWindow?.(summary, windows.length - 1);
    const previous = windows[windows.length - 2];
    stable = previous !== undefined && windowsAgree(previous.p50_ms, summary.p50_ms, rule.tolerance_pct);
  }
  const reported = stable ? samples.slice(-2) : samples;
  const latencies_ms = reported.flatMap((w) => w.latencies_ms);
  return {
    stable,
    windows,
    latencies_ms,
    wall_ms: reported.reduce((sum, w) => sum + w.wall_ms, 0),
    iterations: latencies_ms.length,
    stats: summarize(latencies_ms),
    p50_spread_pct: spreadPct((stable ? windows.slice(-2) : windows).map((w) => w.p50_ms)),
  };
}
