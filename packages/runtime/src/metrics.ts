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

  let sumAbs = 0;
  let sumSquares = 0;
  let maxAbs = 0;
  let dot = 0;
  let normA = 0;
  let normB = 0;
  let sawNaN = false;
  for (let i = 0; i < count; i++) {
    const x = a[i]!;
    const y = b[i]!;
    const diff = Math.abs(x - y);
    if (Number.isNaN(x) || Number.isNaN(y)) sawNaN = true;
    sumAbs += diff;
    sumSquares += diff * diff;
    if (diff > maxAbs) maxAbs = diff;
    dot += x * y;
    normA += x * x;
    normB += y * y;
  }
  if (sawNaN) {
    return { mae: NaN, rmse: NaN, max_abs_error: NaN, cosine_similarity: NaN, shape_match: true, count };
  }
  return {
    mae: sumAbs / count,
    rmse: Math.sqrt(sumSquares / count),
    max_abs_error: maxAbs,
    cosine_similarity: cosine(dot, normA, normB),
    shape_match: true,
    count,
  };
}

function cosine(dot: number, normA: number, normB: number): number {
  if (normA === 0 && normB === 0) return 1;
  if (normA === 0 || normB === 0) return 0;
  // sqrt of each norm separately: normA * normB can overflow to Infinity for large activations.
  const value = dot / (Math.sqrt(normA) * Math.sqrt(normB));
  // Rounding can push identical vectors a hair past 1; clamp so "cosine ≥ threshold" checks stay sane.
  return Math.min(1, Math.max(-1, value));
}

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((dim, i) => dim === b[i]);
}
