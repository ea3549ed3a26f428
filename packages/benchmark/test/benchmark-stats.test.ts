import { describe, expect, it } from 'vitest';
import { histogram, percentile, summarize } from '../src/stats.js';
import { measureUntilStable, windowsAgree } from '../src/stability.js';
import type { WindowSamples } from '../src/stability.js';

describe('percentile', () => {
  // Expected values are numpy.percentile(data, q) with its default (linear) method.
  const oneToTen = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];

  it('interpolates linearly between ranks, as numpy does', () => {
    expect(percentile(oneToTen, 0.5)).toBeCloseTo(5.5, 12);
    expect(percentile(oneToTen, 0.9)).toBeCloseTo(9.1, 12);
    expect(percentile(oneToTen, 0.95)).toBeCloseTo(9.55, 12);
    expect(percentile(oneToTen, 0.99)).toBeCloseTo(9.91, 12);
    expect(percentile([15, 20, 35, 40, 50], 0.4)).toBeCloseTo(29, 12);
  });

  it('returns the extremes at 0 and 1 and the sample itself for one sample', () => {
    expect(percentile(oneToTen, 0)).toBe(1);
    expect(percentile(oneToTen, 1)).toBe(10);
    expect(percentile([7], 0.99)).toBe(7);
  });

  it('rejects no samples and a q outside [0, 1]', () => {
    expect(() => percentile([], 0.5)).toThrow(RangeError);
    expect(() => percentile(oneToTen, 1.5)).toThrow(RangeError);
    expect(() => percentile(oneToTen, Number.NaN)).toThrow(RangeError);
  });
});

describe('summarize', () => {
  it('gives mean, percentiles, extremes and the sample standard deviation of unsorted data', () => {
    const stats = summarize([9, 2, 4, 7, 4, 5, 4, 5]);
    expect(stats.mean).toBe(5);
    expect(stats.min).toBe(2);
    expect(stats.max).toBe(9);
    expect(stats.p50).toBeCloseTo(4.5, 12);
    expect(stats.p90).toBeCloseTo(7.6, 12); // numpy: 7 + 0.3 * (9 - 7)
    expect(stats.stddev).toBeCloseTo(Math.sqrt(32 / 7), 12); // n − 1 in the denominator
  });

  it('does not reorder the caller’s array, and gives stddev 0 for one sample', () => {
    const data = [3, 1, 2];
    summarize(data);
    expect(data).toEqual([3, 1, 2]);
    expect(summarize([4]).stddev).toBe(0);
    expect(() => summarize([])).toThrow(RangeError);
  });
});

describe('histogram', () => {
  it('puts every sample in one bin from the smallest to the largest', () => {
    const h = histogram([1, 2, 2, 3, 4], 3);
    expect(h.edges_ms).toHaveLength(4);
    expect(h.edges_ms[0]).toBe(1);
    expect(h.edges_ms[3]).toBe(4);
    expect(h.counts).toEqual([1, 2, 2]); // [1,2) [2,3) [3,4] — the last bin includes its right edge
    expect(h.above).toBe(0);
  });

  it('counts samples beyond an upper bound separately instead of stretching the axis', () => {
    const h = histogram([1, 1.5, 2, 100], 2, 2);
    expect(h.edges_ms).toEqual([1, 1.5, 2]);
    expect(h.counts).toEqual([1, 2]);
    expect(h.above).toBe(1);
  });

  it('copes with identical samples and with none', () => {
    expect(histogram([5, 5, 5])).toEqual({ edges_ms: [5, 5], counts: [3], above: 0 });
    expect(histogram([])).toEqual({ edges_ms: [], counts: [], above: 0 });
  });
});

describe('stability rule', () => {
  it('treats p50s within the tolerance (relative to the smaller) as agreeing, in either order', () => {
    expect(windowsAgree(100, 105, 5)).toBe(true);
    expect(windowsAgree(105, 100, 5)).toBe(true);
    expect(windowsAgree(100, 105.1, 5)).toBe(false);
    expect(windowsAgree(0, 0, 5)).toBe(true);
  });

  /** Windows whose samples all equal the given p50s, one per call. */
  function windows(p50s: number[], size = 4): { run: () => Promise<WindowSamples>; calls: () => number } {
    let i = 0;
    return {
      run: async () => {
        const p50 = p50s[i++]!;
        return { latencies_ms: Array.from({ length: size }, () => p50), wall_ms: p50 * size };
      },
      calls: () => i,
    };
  }

  it('stops as soon as two consecutive windows agree and reports only those two', async () => {
    const source = windows([10, 8, 8.2, 99]);
    const seen: number[] = [];
    const m = await measureUntilStable(source.run, { tolerance_pct: 5, max_windows: 6 }, (w) => seen.push(w.p50_ms));
    expect(source.calls()).toBe(3);
    expect(seen).toEqual([10, 8, 8.2]);
    expect(m.stable).toBe(true);
    expect(m.windows.map((w) => w.p50_ms)).toEqual([10, 8, 8.2]);
    expect(m.iterations).toBe(8); // the first, slow window is not in the result
    expect(m.stats.max).toBeCloseTo(8.2, 12);
    expect(m.wall_ms).toBeCloseTo(8 * 4 + 8.2 * 4, 12);
    expect(m.p50_spread_pct).toBeCloseTo(2.5, 9);
  });

  it('needs at least two windows even when the first is perfect', async () => {
    const source = windows([5, 5]);
    const m = await measureUntilStable(source.run, { tolerance_pct: 5, max_windows: 5 });
    expect(source.calls()).toBe(2);
    expect(m.stable).toBe(true);
  });

  it('gives up after max_windows, keeps every window and reports the spread', async () => {
    const source = windows([10, 20, 10, 20]);
    const m = await measureUntilStable(source.run, { tolerance_pct: 5, max_windows: 4 });
    expect(source.calls()).toBe(4);
    expect(m.stable).toBe(false);
    expect(m.iterations).toBe(16);
    expect(m.p50_spread_pct).toBeCloseTo(100, 9);
  });

  it('rejects fewer than two windows', async () => {
    await expect(measureUntilStable(windows([1]).run, { tolerance_pct: 5, max_windows: 1 })).rejects.toThrow(
      RangeError,
    );
  });
});
