import { OxvError } from './errors.js';
import { formatShape } from './internal/format.js';
import { toFloat64Array, type Tensor } from './tensor.js';

/** Field names follow the original system's validation report, which tools and dashboards already read. */
export interface TensorComparison {
  mae: number;
  rmse: number;
  max_abs_error: number;
  cosine_similarity: number;
  /** Always true in a returned result: a shape mismatch throws instead. Kept so reports carry the field. */
  shape_match: boolean;
  count: number;
}

/**
 * Error metrics of `target` against `reference`, element by element, accumulated in float64 whatever the
 * dtypes (so an fp16 or int8 model can be compared with its fp32 reference).
 *
 * - Shapes must be equal, else ERR_INPUT_SHAPE naming both.
 * - Cosine similarity of two all-zero tensors is 1 (identical); of a zero and a non-zero tensor 0.
 * - A NaN in either tensor makes every metric NaN: a model that emits NaN must fail validation, and a
 *   max that skipped NaN would report it as a perfect match.
 * - Empty tensors compare as identical (errors 0, cosine 1).
 */
export function compareTensors(reference: Tensor, target: Tensor): TensorComparison {
  if (!sameShape(reference.shape, target.shape)) {
    throw new OxvError(
      'ERR_INPUT_SHAPE',
      `cannot compare tensors of different shapes: reference ${formatShape(reference.shape)}, target ${formatShape(target.shape)}`,
      { details: { reference: [...reference.shape], target: [...target.shape] } },
    );
  }
  const a = toFloat64Array(reference);
  const b = toFloat64Array(target);
  const count = a.length;
  if (count === 0) {
    return { mae: 0, rmse: 0, max_abs_error: 0, cosine_similarity: 1, shape_match: true, count };
  }

  const scaleA = maxAbs(a);
  const scaleB = maxAbs(b);
  if (Number.isNaN(scaleA) || Number.isNaN(scaleB)) {
    return { mae: NaN, rmse: NaN, max_abs_error: NaN, cosine_similarity: NaN, shape_match: true, count };
  }

  let sumAbs = 0;
  let sumSquares = 0;
  let maxError = 0;
  for (let i = 0; i < count; i++) {
    const diff = Math.abs(a[i]! - b[i]!);
    sumAbs += diff;
    sumSquares += diff * diff;
    if (diff > maxError) maxError = diff;
  }
  return {
    mae: sumAbs / count,
    rmse: Math.sqrt(sumSquares / count),
    max_abs_error: maxError,
    cosine_similarity: cosine(a, b, scaleA, scaleB),
    shape_match: true,
    count,
  };
}

/** Largest magnitude, or NaN when any element is NaN (Math.max would propagate it, a `>` loop would not). */
function maxAbs(values: Float64Array): number {
  let max = 0;
  for (let i = 0; i < values.length; i++) {
    const magnitude = Math.abs(values[i]!);
    if (Number.isNaN(magnitude)) return NaN;
    if (magnitude > max) max = magnitude;
  }
  return max;
}

/**
 * Cosine on vectors pre-scaled by their largest magnitude, so the sums of squares cannot overflow (or
 * underflow to 0) however large or tiny the activations are; the scale cancels out of the ratio.
 */
function cosine(a: Float64Array, b: Float64Array, scaleA: number, scaleB: number): number {
  if (scaleA === 0 && scaleB === 0) return 1;
  if (scaleA === 0 || scaleB === 0) return 0;
  let dot = 0;
  let normA = 0;
  let normB = 0;
  for (let i = 0; i < a.length; i++) {
    const x = a[i]! / scaleA;
    const y = b[i]! / scaleB;
    dot += x * y;
    normA += x * x;
    normB += y * y;
  }
  // Rounding can push identical vectors a hair past 1; clamp so "cosine >= threshold" checks stay sane.
  return Math.min(1, Math.max(-1, dot / Math.sqrt(normA * normB)));
}

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((dim, i) => dim === b[i]);
}
