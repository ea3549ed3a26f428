import type { Histogram, LatencyStats } from './types.js';

/**
 * The q-quantile (0 ≤ q ≤ 1) of ascending samples by linear interpolation between the two nearest ranks:
 * rank h = (n − 1)·q, value x[⌊h⌋] + (h − ⌊h⌋)(x[⌈h⌉] − x[⌊h⌋]). This is numpy's default ("linear",
 * Hyndman–Fan type 7), so a number from here and one from a Python timing loop mean the same thing.
 */
export function percentile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) throw new RangeError('percentile of no samples');
  if (!(q >= 0 && q <= 1)) throw new RangeError(`q must be between 0 and 1, got ${q}`);
  const h = (sorted.length - 1) * q;
  const lo = Math.floor(h);
  const hi = Math.ceil(h);
  return sorted[lo]! + (h - lo) * (sorted[hi]! - sorted[lo]!);
}

/** Mean, percentiles, extremes and sample standard deviation of latencies (any unit in, same unit out). */
export function summarize(samples: readonly number[]): LatencyStats {
  if (samples.length === 0) throw new RangeError('cannot summarize zero samples');
  const sorted = Float64Array.from(samples).sort();
  const values = Array.from(sorted);
  let sum = 0;
  for (const x of values) sum += x;
  const mean = sum / values.length;
  let squares = 0;
  for (const x of values) squares += (x - mean) ** 2;
  return {
    mean,
    p50: percentile(values, 0.5),
    p90: percentile(values, 0.9),
    p95: percentile(values, 0.95),
    p99: percentile(values, 0.99),
    min: values[0]!,
    max: values[values.length - 1]!,
    stddev: values.length > 1 ? Math.sqrt(squares / (values.length - 1)) : 0,
  };
}

/**
 * Equal-width bins from the smallest sample up to `upper` (default: the largest). Samples above `upper` are
 * counted in `above` rather than stretching the axis: one 15 ms GC pause would otherwise squeeze a
 * 0.1 ms distribution into a single bar.
 */
export function histogram(samples: readonly number[], bins = 24, upper?: number): Histogram {
  if (samples.length === 0) return { edges_ms: [], counts: [], above: 0 };
  let min = Infinity;
  let max = -Infinity;
  for (const x of samples) {
    if (x < min) min = x;
    if (x > max) max = x;
  }
  const top = upper === undefined ? max : Math.max(min, Math.min(upper, max));
  const above = samples.filter((x) => x > top).length;
  if (top === min) return { edges_ms: [min, top], counts: [samples.length - above], above };
  const width = (top - min) / bins;
  const counts = new Array<number>(bins).fill(0);
  for (const x of samples) if (x <= top) counts[Math.min(bins - 1, Math.floor((x - min) / width))]! += 1;
  const edges_ms = Array.from({ length: bins + 1 }, (_, i) => (i === bins ? top : min + i * width));
  return { edges_ms, counts, above };
}
