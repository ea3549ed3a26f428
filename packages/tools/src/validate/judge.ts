import { compareTensors, type Tensor } from '@oxidizedvision/runtime';
import type { Comparison, Tolerances, ValidateTarget } from './types.js';

/** Worst case over tests: highest errors, lowest cosine. NaN stays NaN (Math.max propagates it). */
function worst(rows: ReturnType<typeof compareTensors>[]) {
  return {
    mae: Math.max(...rows.map((r) => r.mae)),
    rmse: Math.max(...rows.map((r) => r.rmse)),
    max_abs_error: Math.max(...rows.map((r) => r.max_abs_error)),
    cosine_similarity: Math.min(...rows.map((r) => r.cosine_similarity)),
  };
}

function reasonFor(m: ReturnType<typeof worst>, tol: Tolerances): string | undefined {
  const reasons: string[] = [];
  if (!(m.mae <= tol.mae)) reasons.push(`MAE ${m.mae.toExponential(2)} > ${tol.mae}`);
  if (!(m.cosine_similarity >= tol.cosine)) reasons.push(`cosine ${m.cosine_similarity.toFixed(6)} < ${tol.cosine}`);
  if (tol.max_abs !== undefined && !(m.max_abs_error <= tol.max_abs)) {
    reasons.push(`max abs error ${m.max_abs_error.toExponential(2)} > ${tol.max_abs}`);
  }
  return reasons.length ? reasons.join('; ') : undefined;
}

/**
 * Compares a target's outputs with the reference's, test by test and output by output.
 * `reference[i][name]` and `target[i][name]` are the tensors of test i.
 */
export function judge(
  target: ValidateTarget,
  inputs: Comparison['inputs'],
  reference: Record<string, Tensor>[],
  outputs: Record<string, Tensor>[],
  tolerances: Tolerances,
): Comparison[] {
  const names = Object.keys(reference[0] ?? {});
  return names.map((output) => {
    const rows = reference.map((ref, i) => {
      const got = outputs[i]?.[output];
      if (!got) throw new Error(`${target} produced no output "${output}"`);
      return compareTensors(ref[output]!, got);
    });
    const metrics = worst(rows);
    const reason = reasonFor(metrics, tolerances);
    return {
      reference: 'pytorch',
      target,
      output,
      inputs,
      tests: rows.length,
      ...metrics,
      passed: reason === undefined,
      ...(reason ? { reason } : {}),
    };
  });
}
