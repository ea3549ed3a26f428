import { createTensor, type DType, type Tensor } from '@oxidizedvision/runtime';

/** The one write method every typed array has; the union of typed array types cannot call it directly. */
interface Settable {
  set(source: ArrayLike<number | bigint>, offset?: number): void;
  subarray(begin: number, end: number): ArrayLike<number | bigint>;
}

/** A zero-filled tensor of this dtype and shape, with the storage class the runtime expects. */
export function emptyTensor(dtype: DType, shape: readonly number[]): Tensor {
  return createTensor(dtype, shape);
}

/** Copies `source` into `target` at element `offset`. */
export function copyInto(target: Tensor['data'], source: Tensor['data'], offset: number): void {
  (target as unknown as Settable).set(source as unknown as ArrayLike<number | bigint>, offset);
}

/** A tensor of the given shape viewing elements [begin, end) of `source` (no copy). */
export function viewTensor(source: Tensor, shape: readonly number[], begin: number, end: number): Tensor {
  const data = (source.data as unknown as Settable).subarray(begin, end) as Tensor['data'];
  return createTensor(source.dtype, shape, data as never);
}
