/**
 * Element types a Tensor can hold. The names match onnxruntime's tensor type strings, so they cross the
 * backend boundary unchanged.
 */
export type DType = 'float32' | 'float16' | 'float64' | 'int64' | 'int32' | 'int8' | 'uint8' | 'bool';

/**
 * Storage for each dtype. float16 is kept as raw IEEE-754 half bits in a Uint16Array because Node 20 has no
 * Float16Array (onnxruntime 1.30 accepts Uint16Array for float16); bool is one byte per element, 0 or 1.
 */
export interface TypedArrayMap {
  float32: Float32Array;
  float16: Uint16Array;
  float64: Float64Array;
  int64: BigInt64Array;
  int32: Int32Array;
  int8: Int8Array;
  uint8: Uint8Array;
  bool: Uint8Array;
}

export type TypedArrayFor<T extends DType> = TypedArrayMap[T];

/** Every DType, in a stable order (handy for option validation and test tables). */
export const DTYPES: readonly DType[] = Object.freeze([
  'float32',
  'float16',
  'float64',
  'int64',
  'int32',
  'int8',
  'uint8',
  'bool',
]);

export function isDType(value: unknown): value is DType {
  return typeof value === 'string' && (DTYPES as readonly string[]).includes(value);
}

/**
 * Bytes per element of each dtype's storage above (bool one byte, float16 its raw half bits): the width of
 * a raw tensor file or a binary wire format element.
 */
export const DTYPE_BYTES: Readonly<Record<DType, number>> = Object.freeze({
  float32: 4,
  float16: 2,
  float64: 8,
  int64: 8,
  int32: 4,
  int8: 1,
  uint8: 1,
  bool: 1,
});
