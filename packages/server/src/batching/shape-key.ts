import { OxvError, type Tensor } from '@oxidizedvision/runtime';

/**
 * The sub-queue a request joins: dtype and non-batch dims of every input, by name. Only requests with
 * equal keys can be concatenated, and keeping one queue per key means a request of another shape never
 * flushes a half-filled batch early (Triton's head-of-line behaviour).
 */
export function subQueueKey(inputs: Record<string, Tensor>): string {
  return Object.keys(inputs)
    .sort()
    .map((name) => {
      const t = inputs[name]!;
      return `${name}:${t.dtype}[${t.shape.slice(1).join(',')}]`;
    })
    .join(';');
}

/**
 * Samples a request carries: dim 0, which every input must agree on. A rank-0 input cannot be batched, so
 * models that batch always declare a leading batch dim (checked when the model loads).
 */
export function batchExtent(inputs: Record<string, Tensor>): number {
  let extent: number | undefined;
  for (const [name, tensor] of Object.entries(inputs)) {
    const dim = tensor.shape[0];
    if (dim === undefined) {
      throw new OxvError('ERR_INPUT_SHAPE', `input "${name}" is a scalar, but this model batches along dim 0`, {
        details: { input: name },
      });
    }
    if (extent !== undefined && dim !== extent) {
      throw new OxvError(
        'ERR_INPUT_SHAPE',
        `input "${name}" has batch dim ${dim}, but another input has ${extent}; every input must carry the same batch`,
        { details: { input: name, got: dim, expected: extent } },
      );
    }
    extent = dim;
  }
  return extent ?? 1;
}
