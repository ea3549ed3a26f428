import type { DType, TypedArrayFor } from './dtype.js';

type AnyTypedArrayConstructor =
  | Float32ArrayConstructor
  | Float64ArrayConstructor
  | BigInt64ArrayConstructor
  | Int32ArrayConstructor
  | Int8ArrayConstructor
  | Uint8ArrayConstructor
  | Uint16ArrayConstructor;

const CONSTRUCTORS: Record<DType, AnyTypedArrayConstructor> = {
  float32: Float32Array,
  float16: Uint16Array,
  float64: Float64Array,
  int64: BigInt64Array,
  int32: Int32Array,
  int8: Int8Array,
  uint8: Uint8Array,
  bool: Uint8Array,
};

export function typedArrayConstructorFor(dtype: DType): AnyTypedArrayConstructor {
  return CONSTRUCTORS[dtype];
}

export function allocateTypedArray<T extends DType>(dtype: T, length: number): TypedArrayFor<T> {
  return new CONSTRUCTORS[dtype](length) as TypedArrayFor<T>;
}

/**
 * Exact class check rather than instanceof: a Uint8ClampedArray or a Buffer subclass would pass instanceof
 * for some types yet behave differently when a backend copies it, so only the canonical classes count.
 * Buffer is allowed for uint8/bool because it is how Node hands out bytes and is a true Uint8Array.
 */
export function isTypedArrayFor(dtype: DType, data: unknown): boolean {
  if (typeof data !== 'object' || data === null || !ArrayBuffer.isView(data)) return false;
  const expected = CONSTRUCTORS[dtype];
  if (data.constructor === expected) return true;
  return expected === Uint8Array && data instanceof Uint8Array && !(data instanceof Uint8ClampedArray);
}
