import { OxvError, type Tensor } from '@oxidizedvision/runtime';
import { copyInto, emptyTensor, viewTensor } from './typed-data.js';

/**
 * Joins the requests' tensors for one input along dim 0. Callers guarantee equal dtypes and non-batch
 * dims (the sub-queue key). A single part is returned as is: no copy for a batch of one request.
 */
export function concatBatch(parts: readonly Tensor[]): Tensor {
  const first = parts[0];
  if (first === undefined) throw new RangeError('concatBatch needs at least one tensor');
  if (parts.length === 1) return first;
  let samples = 0;
  for (const part of parts) samples += part.shape[0] ?? 0;
  const out = emptyTensor(first.dtype, [samples, ...first.shape.slice(1)]);
  let offset = 0;
  for (const part of parts) {
    copyInto(out.data, part.data, offset);
    offset += part.data.length;
  }
  return out;
}

/**
 * Splits one batch output back into per-request tensors by each request's batch extent. The slices are
 * views of the batch output, not copies: copying 8 × 0.8 MB per UNet batch on the event loop showed up as
 * garbage-collection pauses. A slice's `data.buffer` is therefore the whole batch's buffer; use
 * byteOffset/byteLength (as the response encoders do).
 */
export function splitBatch(name: string, tensor: Tensor, extents: readonly number[]): Tensor[] {
  if (extents.length === 1) return [tensor];
  const total = extents.reduce((sum, n) => sum + n, 0);
  if (tensor.shape.length === 0 || tensor.shape[0] !== total) {
    throw new OxvError(
      'ERR_INFERENCE',
      `output "${name}" has shape [${tensor.shape.join(', ')}], but the batch held ${total} samples along dim 0; ` +
        'a batched model must keep the batch dim first in every output',
      { details: { output: name, shape: [...tensor.shape], samples: total } },
    );
  }
  const perSample = total === 0 ? 0 : tensor.data.length / total;
  const rest = tensor.shape.slice(1);
  const slices: Tensor[] = [];
  let sample = 0;
  for (const extent of extents) {
    slices.push(viewTensor(tensor, [extent, ...rest], sample * perSample, (sample + extent) * perSample));
    sample += extent;
  }
  return slices;
}
