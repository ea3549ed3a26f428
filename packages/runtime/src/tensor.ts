import { DTYPES, isDType, type DType, type TypedArrayFor } from './dtype.js';
import { float16BitsToFloat32, float32ToFloat16Bits } from './float16.js';
import { describeValue, formatShape } from './internal/format.js';
import { allocateTypedArray, isTypedArrayFor, typedArrayConstructorFor } from './typed-arrays.js';

/**
 * A dense, row-major tensor in CPU memory. Plain data, so it survives structuredClone (worker_threads,
 * postMessage) and needs no dispose().
 */
export interface Tensor<T extends DType = DType> {
  dtype: T;
  shape: readonly number[];
  data: TypedArrayFor<T>;
}

/** Plain values createTensor accepts for a dtype besides its typed array: bigints too for int64, booleans for bool. */
export type TensorValues<T extends DType = DType> = T extends 'int64'
  ? ArrayLike<number | bigint>
  : T extends 'bool'
    ? ArrayLike<number | boolean>
    : ArrayLike<number>;

/**
 * Number of elements of a tensor with this shape (1 for a scalar `[]`). Throws RangeError naming the
 * offending dim when one is not a non-negative integer.
 */
export function tensorSize(shape: readonly number[]): number {
  if (!Array.isArray(shape)) throw new TypeError(`shape must be an array of dims, got ${describeValue(shape)}`);
  let size = 1;
  for (let i = 0; i < shape.length; i++) {
    const dim = shape[i];
    if (typeof dim !== 'number' || !Number.isSafeInteger(dim) || dim < 0) {
      throw new RangeError(`shape[${i}] must be a non-negative integer, got ${String(dim)}`);
    }
    size *= dim;
  }
  return size;
}

/**
 * Builds a tensor, validating every argument. A typed array of the dtype's storage class is used as-is (not
 * copied); a plain array is converted (float16 values are rounded to half bits, int64 accepts integers or
 * bigints, bool accepts booleans or 0/1). Without `data` the tensor is zero-filled.
 */
export function createTensor<T extends DType>(
  dtype: T,
  shape: readonly number[],
  data?: TypedArrayFor<T> | TensorValues<T>,
): Tensor<T> {
  if (!isDType(dtype)) {
    throw new TypeError(`dtype must be one of ${DTYPES.join(', ')}, got ${JSON.stringify(dtype)}`);
  }
  const size = tensorSize(shape);
  const frozenShape = Object.freeze([...shape]);
  if (data === undefined) return { dtype, shape: frozenShape, data: allocateTypedArray(dtype, size) };

  const typed = isTypedArrayFor(dtype, data) ? (data as TypedArrayFor<T>) : convertValues(dtype, data);
  if (typed.length !== size) {
    throw new RangeError(`data has ${typed.length} elements but shape ${formatShape(frozenShape)} needs ${size}`);
  }
  return { dtype, shape: frozenShape, data: typed };
}

/** Every element as float64 (int64 via Number(), float16 decoded, bool as 0/1), for metrics. */
export function toFloat64Array(tensor: Tensor): Float64Array {
  const { dtype, data } = tensor;
  const out = new Float64Array(data.length);
  if (dtype === 'float16') {
    for (let i = 0; i < data.length; i++) out[i] = float16BitsToFloat32(data[i] as number);
  } else if (dtype === 'int64') {
    for (let i = 0; i < data.length; i++) out[i] = Number(data[i] as bigint);
  } else {
    for (let i = 0; i < data.length; i++) out[i] = data[i] as number;
  }
  return out;
}

function convertValues<T extends DType>(dtype: T, data: unknown): TypedArrayFor<T> {
  if (ArrayBuffer.isView(data)) {
    const expected = typedArrayConstructorFor(dtype).name;
    throw new TypeError(`data must be a ${expected} for dtype ${dtype}, got ${describeValue(data)}`);
  }
  if (typeof data !== 'object' || data === null || typeof (data as ArrayLike<unknown>).length !== 'number') {
    throw new TypeError(`data must be a typed array or an array of values, got ${describeValue(data)}`);
  }
  const values = data as ArrayLike<unknown>;
  const out = allocateTypedArray(dtype, values.length);
  for (let i = 0; i < values.length; i++) (out as unknown as unknown[])[i] = convertOne(dtype, values[i], i);
  return out;
}

function convertOne(dtype: DType, value: unknown, index: number): number | bigint {
  if (dtype === 'int64') {
    if (typeof value === 'bigint') return value;
    if (typeof value === 'number' && Number.isInteger(value)) return BigInt(value);
  } else if (dtype === 'bool') {
    if (typeof value === 'boolean') return value ? 1 : 0;
    if (value === 0 || value === 1) return value;
  } else if (typeof value === 'number') {
    if (dtype === 'float16') return float32ToFloat16Bits(value);
    const range = INTEGER_RANGES[dtype];
    // Typed arrays wrap out-of-range integers silently (300 → 44 in uint8); refuse instead of corrupting.
    if (range === undefined || (Number.isInteger(value) && value >= range[0] && value <= range[1])) return value;
  }
  throw new TypeError(`data[${index}] is not a valid ${dtype} value: ${String(value)}`);
}

const INTEGER_RANGES: Partial<Record<DType, readonly [number, number]>> = {
  int32: [-(2 ** 31), 2 ** 31 - 1],
  int8: [-128, 127],
  uint8: [0, 255],
};
