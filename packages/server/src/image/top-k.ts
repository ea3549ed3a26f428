import { OxvError, toFloat64Array, type Tensor } from '@oxidizedvision/runtime';

export interface Prediction {
  label: string;
  index: number;
  score: number;
}

/** Softmax over a classifier's logits ([K] or [1, K]), highest k first, labelled from the model card. */
export function topK(logits: Tensor, labels: readonly string[] | null, k: number): Prediction[] {
  const size =
    logits.shape.length === 2 && logits.shape[0] === 1
      ? logits.shape[1]!
      : logits.shape.length === 1
        ? logits.shape[0]!
        : -1;
  if (size < 1) {
    throw new OxvError('ERR_INFERENCE', `expected classifier logits [1, K], got [${logits.shape.join(', ')}]`);
  }
  const values = toFloat64Array(logits);
  // Subtracting the max keeps exp() from overflowing for large logits.
  const max = values.reduce((m, v) => (v > m ? v : m), -Infinity);
  const exps = values.map((v) => Math.exp(v - max));
  const sum = exps.reduce((s, v) => s + v, 0);
  return Array.from(exps, (e, index) => ({ label: labels?.[index] ?? String(index), index, score: e / sum }))
    .sort((a, b) => b.score - a.score || a.index - b.index)
    .slice(0, k);
}
