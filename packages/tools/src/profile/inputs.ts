import { OxvError, createRng, isDType, randomTensor, type Tensor } from '@oxidizedvision/runtime';
import type { TensorSummary } from '@oxidizedvision/onnx';

export type Feeds = Record<string, Tensor>;

/** Concrete shape of an input: symbolic dims from `dims`; a dim nothing names cannot be guessed. */
export function concreteShape(input: TensorSummary, dims: Record<string, number>): number[] {
  if (!input.shape) throw new OxvError('ERR_INPUT_SHAPE', `input "${input.name}" has no declared shape`);
  return input.shape.map((d) => {
    if (typeof d === 'number') return d;
    if (typeof d === 'string' && dims[d] !== undefined) return dims[d];
    throw new OxvError('ERR_INPUT_SHAPE', `input "${input.name}" has a dimension with no value (${String(d)})`, {
      hint: typeof d === 'string' ? `give it one with --dim ${d}=N` : 'export the model with named or fixed dimensions',
    });
  });
}

/** Seeded standard-normal inputs (same seed, same feeds), for timing and for accuracy comparisons. */
export function randomFeeds(inputs: TensorSummary[], dims: Record<string, number>, seed: number): Feeds {
  const feeds: Feeds = {};
  inputs.forEach((input, i) => {
    if (!isDType(input.dtype))
      throw new OxvError('ERR_INPUT_DTYPE', `input "${input.name}" has unsupported type ${input.dtype}`);
    feeds[input.name] = randomTensor(input.dtype, concreteShape(input, dims), createRng(seed + i));
  });
  return feeds;
}
