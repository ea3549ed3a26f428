import { OxvError, type Tensor } from '@oxidizedvision/runtime';
import type { Prediction } from './types.js';

/** Softmax unless the output already is a probability distribution (a model that ends in Softmax). */
export function toProbabilities(values: ArrayLike<number>): Float64Array {
  const out = Float64Array.from(values);
  let sum = 0;
  let inRange = true;
  for (const v of out) {
    sum += v;
    if (v < 0 || v > 1) inRange = false;
  }
  if (inRange && Math.abs(sum - 1) < 1e-3) return out;
  const max = out.reduce((m, v) => Math.max(m, v), -Infinity);
  let total = 0;
  for (let i = 0; i < out.length; i++) total += out[i] = Math.exp(out[i]! - max);
  for (let i = 0; i < out.length; i++) out[i]! /= total;
  return out;
}

/** The k most probable classes, labelled from the card (or "class <i>" when it has none). */
export function topK(output: Tensor, k: number, labels: readonly string[] | null): Prediction[] {
  const n = output.shape.length === 0 ? 0 : output.shape[output.shape.length - 1]!;
  if (output.shape.some((d, i) => i < output.shape.length - 1 && d !== 1) || n === 0) {
    throw new OxvError('ERR_INFERENCE', `a classifier must output [1, classes]; got [${output.shape.join(', ')}]`);
  }
  const probs = toProbabilities(output.data as ArrayLike<number>);
  const order = Array.from(probs.keys()).sort((a, b) => probs[b]! - probs[a]!);
  return order.slice(0, Math.min(k, n)).map((index) => ({
    index,
    label: labels?.[index] ?? `class ${index}`,
    probability: probs[index]!,
  }));
}
