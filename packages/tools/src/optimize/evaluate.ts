import { compareTensors, type Runner, type Tensor } from '@oxidizedvision/runtime';
import type { ModelProto } from '@oxidizedvision/onnx';
import type { Feeds } from '../profile/inputs.js';
import { takeRows } from '../validate/detections.js';
import { compareDetections, type DetectionAgreement } from './detections.js';
import { createModelRunner } from './ort-session.js';

export interface OutputAccuracy {
  output: string;
  /** Worst case over the evaluation samples. */
  cosine: number;
  max_abs_error: number;
  mae: number;
  /** For image-like outputs (N×{1,3}×H×W): 10·log10(range² / MSE), range = the fp32 output's max − min. */
  psnr_db: number | null;
}

export interface SpeedComparison {
  runs: number;
  threads: number | null;
  before_ms: number;
  after_ms: number;
  /** before / after: above 1 is faster. */
  speedup: number;
  /** Spread of the per-run ratios (10th and 90th percentiles), to show how steady the machine was. */
  speedup_p10: number;
  speedup_p90: number;
}

export interface AccuracyComparison {
  outputs: OutputAccuracy[];
  /** For a detector (a `boxes` [N, 4] output with `scores`): its detections compared, summed over samples. */
  detections: DetectionAgreement | null;
}

function addAgreement(sum: DetectionAgreement | null, one: DetectionAgreement): DetectionAgreement {
  if (sum === null) return one;
  return {
    threshold: one.threshold,
    reference: sum.reference + one.reference,
    optimized: sum.optimized + one.optimized,
    matched: sum.matched + one.matched,
  };
}

/** The first `rows` rows of a tensor (detection outputs of two models may differ in count). */
function firstRows(t: Tensor, rows: number): Tensor {
  return t.shape[0] === rows ? t : takeRows(t, [...Array(rows).keys()]);
}

/**
 * Compares every output of `after` with `before` on the same samples (float64 metrics, worst case kept).
 * A detector's rows are lined up by detection first (optimize/detections.ts); where the two found a
 * different number, the element-wise numbers cover the rows both have, and `detections` tells the rest.
 */
export async function compareAccuracy(
  before: ModelProto,
  after: ModelProto,
  samples: Feeds[],
  threads?: number,
): Promise<AccuracyComparison> {
  const [a, b] = [await createModelRunner(before, { threads }), await createModelRunner(after, { threads })];
  try {
    const worst = new Map<string, OutputAccuracy>();
    let detections: DetectionAgreement | null = null;
    for (const feeds of samples) {
      const [ra, raw] = [await a.run(feeds), await b.run(feeds)];
      const { aligned: rb, agreement } = compareDetections(ra, raw);
      if (agreement) detections = addAgreement(detections, agreement);
      for (const { name } of a.info().outputs) {
        const rows = Math.min(ra[name]!.shape[0] ?? 0, rb[name]!.shape[0] ?? 0);
        const varies = ra[name]!.shape.length > 0 && ra[name]!.shape[0] !== rb[name]!.shape[0];
        const ref = varies ? firstRows(ra[name]!, rows) : ra[name]!;
        const got = varies ? firstRows(rb[name]!, rows) : rb[name]!;
        const c = compareTensors(ref, got);
        const psnr = imageLike(ref.shape) ? psnrOf(ref, c.rmse) : null;
        const prev = worst.get(name);
        worst.set(name, {
          output: name,
          cosine: Math.min(prev?.cosine ?? 1, c.cosine_similarity),
          max_abs_error: Math.max(prev?.max_abs_error ?? 0, c.max_abs_error),
          mae: Math.max(prev?.mae ?? 0, c.mae),
          psnr_db: psnr === null ? null : Math.min(prev?.psnr_db ?? Infinity, psnr),
        });
      }
    }
    return { outputs: [...worst.values()], detections };
  } finally {
    await Promise.all([a.dispose(), b.dispose()]);
  }
}

const imageLike = (shape: readonly number[]): boolean => shape.length === 4 && (shape[1] === 1 || shape[1] === 3);

function psnrOf(reference: Tensor, rmse: number): number {
  let min = Infinity;
  let max = -Infinity;
  const data = reference.data as ArrayLike<number>;
  for (let i = 0; i < data.length; i++) {
    const v = Number(data[i]);
    if (v < min) min = v;
    if (v > max) max = v;
  }
  const range = max - min || 1;
  return rmse === 0 ? Infinity : 20 * Math.log10(range / rmse);
}

/**
 * Latency of both models in one process, alternating A and B run by run after a warm-up, so both see
 * the same machine load (other jobs on a shared box shift both, not one). Medians; the spread of the
 * per-pair ratios says how much to trust the speedup.
 */
export async function compareSpeed(
  before: ModelProto,
  after: ModelProto,
  feeds: Feeds,
  runs: number,
  threads?: number,
): Promise<SpeedComparison> {
  const [a, b] = [await createModelRunner(before, { threads }), await createModelRunner(after, { threads })];
  try {
    const time = async (s: Runner) => {
      const t0 = performance.now();
      await s.run(feeds);
      return performance.now() - t0;
    };
    for (let i = 0; i < Math.max(2, Math.ceil(runs / 5)); i++) {
      await time(a);
      await time(b);
    }
    const ta: number[] = [];
    const tb: number[] = [];
    for (let i = 0; i < runs; i++) {
      // Alternate which goes first, so neither always runs on a cache the other warmed.
      if (i % 2 === 0) {
        ta.push(await time(a));
        tb.push(await time(b));
      } else {
        tb.push(await time(b));
        ta.push(await time(a));
      }
    }
    const ratios = ta.map((x, i) => x / tb[i]!).sort((x, y) => x - y);
    const before_ms = median(ta);
    const after_ms = median(tb);
    return {
      runs,
      threads: threads ?? null,
      before_ms,
      after_ms,
      speedup: before_ms / after_ms,
      speedup_p10: quantile(ratios, 0.1),
      speedup_p90: quantile(ratios, 0.9),
    };
  } finally {
    await Promise.all([a.dispose(), b.dispose()]);
  }
}

function median(values: number[]): number {
  return quantile(
    [...values].sort((x, y) => x - y),
    0.5,
  );
}

function quantile(sorted: number[], q: number): number {
  if (sorted.length === 0) return NaN;
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (pos - lo);
}
