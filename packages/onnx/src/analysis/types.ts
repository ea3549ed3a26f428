/** A dimension: a number, a symbolic name from the model (`batch`), or null when it cannot be known. */
export type Dim = number | string | null;

/** What shape inference knows about one tensor. */
export interface ValueFacts {
  /** ONNX TensorProto.DataType code; 0 when unknown. */
  dtype: number;
  /** undefined when even the rank is unknown. */
  shape: Dim[] | undefined;
  /** Values of small integer tensors (shapes, axes, pads) when they are constants, for Reshape and friends. */
  value?: number[];
}

export function isStatic(shape: Dim[] | undefined): shape is number[] {
  return shape !== undefined && shape.every((d) => typeof d === 'number');
}

export function product(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}
