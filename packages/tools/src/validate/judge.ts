import { compareTensors, toFloat64Array, type Tensor } from '@oxidizedvision/runtime';
import { alignTest } from './detections.js';
import type { Comparison, Tolerances, ValidateTarget } from './types.js';

type Metrics = Pick<
  Comparison,
  'mae' | 'rmse' | 'max_abs_error' | 'cosine_similarity' | 'relative_mae' | 'relative_max_error'
>;

/** Errors over the reference's own scale (mean and max |x|): 1e-3 means 0.1 % of a typical value. */
function relative(error: number, scale: number): number {
  if (Number.isNaN(scale) || Number.isNaN(error)) return NaN;
  if (scale > 0) return error / scale;
  return error === 0 ? 0 : Infinity;
}

function compare(reference: Tensor, target: Tensor): Metrics {
  const m = compareTensors(reference, target);
  const values = toFloat64Array(reference);
  let sum = 0;
  let max = 0;
  for (const v of values) {
    sum += Math.abs(v);
    max = Math.max(max, Math.abs(v));
  }
  return {
    mae: m.mae,
    rmse: m.rmse,
    max_abs_error: m.max_abs_error,
    cosine_similarity: m.cosine_similarity,
    relative_mae: relative(m.mae, values.length ? sum / values.length : 0),
    relative_max_error: relative(m.max_abs_error, max),
  };
}

/** Worst case over tests: highest errors, lowest cosine. NaN stays NaN (Math.max propagates it). */
function worst(rows: Metrics[]): Metrics {
  if (rows.length === 0) {
    return {
      mae: NaN,
      rmse: NaN,
      max_abs_error: NaN,
      cosine_similarity: NaN,
      relative_mae: NaN,
      relative_max_error: NaN,
    };
  }
  return {
    mae: Math.max(...rows.map((r) => r.mae)),
    rmse: Math.max(...rows.map((r) => r.rmse)),
    max_abs_error: Math.max(...rows.map((r) => r.max_abs_error)),
    cosine_similarity: Math.min(...rows.map((r) => r.cosine_similarity)),
    relative_mae: Math.max(...rows.map((r) => r.relative_mae)),
    relative_max_error: Math.max(...rows.map((r) => r.relative_max_error)),
  };
}

/** Below this relative MAE (with the cosine passing), a failure is float32 noise on a large-scale output. */
const NOISE_RELATIVE_MAE = 1e-4;

function reasonFor(m: Metrics, tol: Tolerances): string | undefined {
  const reasons: string[] = [];
  if (!(m.mae <= tol.mae)) {
    // Boxes in pixels or a flow of tens of pixels miss an absolute 1e-4 on rounding alone: say so.
    const noise = m.relative_mae <= NOISE_RELATIVE_MAE && m.cosine_similarity >= tol.cosine;
    reasons.push(
      `MAE ${m.mae.toExponential(2)} > ${tol.mae}` +
        (noise
          ? ` (only ${m.relative_mae.toExponential(1)} of the output's mean |x|: float32 rounding at this scale; raise tolerance_mae if that is expected)`
          : ''),
    );
  }
  if (!(m.cosine_similarity >= tol.cosine)) reasons.push(`cosine ${m.cosine_similarity.toFixed(6)} < ${tol.cosine}`);
  if (tol.max_abs !== undefined && !(m.max_abs_error <= tol.max_abs)) {
    reasons.push(`max abs error ${m.max_abs_error.toExponential(2)} > ${tol.max_abs}`);
  }
  return reasons.length ? reasons.join('; ') : undefined;
}

/**
 * Compares a target's outputs with the reference's, test by test and output by output.
 * `reference[i][name]` and `target[i][name]` are the tensors of test i. Outputs named in `variable`
 * (a dynamic first dimension: detections) must have as many rows as the reference's, and are compared
 * after lining the target's rows up with the reference's (see detections.ts).
 */
export function judge(
  target: ValidateTarget,
  inputs: Comparison['inputs'],
  reference: Record<string, Tensor>[],
  outputs: Record<string, Tensor>[],
  tolerances: Tolerances,
  variable: string[] = [],
): Comparison[] {
  const names = Object.keys(reference[0] ?? {});
  const aligned = reference.map((ref, i) => {
    const got = outputs[i];
    const missing = names.find((name) => !got?.[name]);
    if (missing) throw new Error(`${target} produced no output "${missing}"`);
    return alignTest(variable, ref, got!, target);
  });
  return names.map((output) => {
    const problems: string[] = [];
    const rows: Metrics[] = [];
    reference.forEach((ref, i) => {
      const test = aligned[i]!;
      const counts = test.counts[output];
      if (test.problem && counts && counts.reference !== counts.target) {
        problems.push(`${test.problem}${reference.length > 1 ? ` (test ${i})` : ''}`);
        return;
      }
      if (test.problem && counts) problems.push(`${test.problem}${reference.length > 1 ? ` (test ${i})` : ''}`);
      rows.push(compare(ref[output]!, test.outputs[output]!));
    });
    const metrics = worst(rows);
    const numeric = rows.length ? reasonFor(metrics, tolerances) : undefined;
    const reason = [...new Set(problems), ...(numeric ? [numeric] : [])].join('; ') || undefined;
    const counts = aligned.map((t) => t.counts[output]).filter((c) => c !== undefined);
    return {
      reference: 'pytorch',
      target,
      output,
      inputs,
      tests: reference.length,
      ...metrics,
      ...(counts.length ? { counts } : {}),
      passed: reason === undefined,
      ...(reason ? { reason } : {}),
    };
  });
}
