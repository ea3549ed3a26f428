import { toFloat64Array, type Tensor } from '@oxidizedvision/runtime';

/** Below this, a reference output is numerically nothing: float32 rounding noise of a vanishing network. */
export const NEGLIGIBLE_MAX_ABS = 1e-6;
/** Spread (max − min) below this fraction of the magnitude: every element is the same value. */
export const CONSTANT_RELATIVE_SPREAD = 1e-6;

export interface DegenerateOutput {
  output: string;
  inputs: 'random' | 'images';
  /** In words, e.g. "all zero on every input" or "constant (every value 0.2) on test 0". */
  reason: string;
}

function isFloat(t: Tensor): boolean {
  return t.dtype === 'float32' || t.dtype === 'float16';
}

function describe(t: Tensor): string | undefined {
  const values = toFloat64Array(t);
  if (values.length === 0) return 'empty (no values: a detector with no detections)';
  let min = Infinity;
  let max = -Infinity;
  let maxAbs = 0;
  for (const v of values) {
    if (!Number.isFinite(v))
      return `not finite (PyTorch itself computes ${v} here; RAFT does below 128 × 128, for one)`;
    if (v < min) min = v;
    if (v > max) max = v;
    maxAbs = Math.max(maxAbs, Math.abs(v));
  }
  if (maxAbs === 0) return 'all zero';
  if (maxAbs < NEGLIGIBLE_MAX_ABS) return `numerically negligible (max |x| = ${maxAbs.toExponential(2)})`;
  if (values.length > 1 && max - min <= CONSTANT_RELATIVE_SPREAD * maxAbs) {
    return `constant (every value ${Number(min.toPrecision(6))})`;
  }
  return undefined;
}

function sameValues(a: Tensor, b: Tensor): boolean {
  if (a.shape.length !== b.shape.length || a.shape.some((d, i) => d !== b.shape[i])) return false;
  const x = toFloat64Array(a);
  const y = toFloat64Array(b);
  return x.every((v, i) => v === y[i]);
}

/**
 * Reference outputs on which a match proves nothing: empty, all zero, negligible or constant on some
 * input, or identical for every random input (the output ignores its input). Float outputs only: an
 * integer output (labels, an argmax) may legitimately be constant.
 */
export function degenerateOutputs(
  reference: Record<string, Tensor>[],
  inputs: 'random' | 'images',
): DegenerateOutput[] {
  const names = Object.keys(reference[0] ?? {});
  const found: DegenerateOutput[] = [];
  for (const output of names) {
    const tensors = reference.map((r) => r[output]!);
    if (!tensors.every(isFloat)) continue;
    const reasons = tensors.map(describe);
    const first = reasons.findIndex((r) => r !== undefined);
    if (first >= 0) {
      const everywhere = reasons.every((r) => r === reasons[first]);
      const where = tensors.length === 1 ? '' : everywhere ? ' on every input' : ` on test ${first}`;
      found.push({ output, inputs, reason: `${reasons[first]!}${where}` });
    } else if (inputs === 'random' && tensors.length > 1 && tensors.every((t) => sameValues(t, tensors[0]!))) {
      found.push({ output, inputs, reason: `the same on all ${tensors.length} inputs (it does not depend on them)` });
    }
  }
  return found;
}
