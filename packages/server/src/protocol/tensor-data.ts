import { DTYPE_BYTES, OxvError, createTensor, type DType, type Tensor } from '@oxidizedvision/runtime';
import { allocateRequestStorage, isExclusive } from '../buffers.js';
import { NumberArray } from './json/number-array.js';
import { numbersToTensor } from './json/numbers-to-tensor.js';

/** Validates a protocol `shape`: an array of non-negative integers. */
export function checkShape(shape: unknown, where: string): number[] {
  if (!Array.isArray(shape) || !shape.every((d) => typeof d === 'number' && Number.isSafeInteger(d) && d >= 0)) {
    throw new OxvError('ERR_BAD_REQUEST', `${where}.shape must be an array of non-negative integers`);
  }
  return shape as number[];
}

export function elementCount(shape: readonly number[]): number {
  return shape.reduce((n, d) => n * d, 1);
}

/**
 * JSON `data`, flat or nested (row-major either way), into a tensor of `shape`. Numbers and booleans
 * arrive gathered in a NumberArray (parse-json.ts); anything else (strings, nulls) as parsed JSON.
 */
export function tensorFromJson(dtype: DType, shape: number[], data: unknown, where: string): Tensor {
  if (!(data instanceof NumberArray) && !Array.isArray(data)) {
    throw new OxvError('ERR_BAD_REQUEST', `${where}.data must be an array`);
  }
  const flat = data instanceof NumberArray ? data : (data.flat(Infinity) as unknown[]);
  const expected = elementCount(shape);
  if (flat.length !== expected) {
    throw new OxvError(
      'ERR_INPUT_SHAPE',
      `${where}: shape [${shape.join(', ')}] needs ${expected} elements but data has ${flat.length}`,
    );
  }
  try {
    return flat instanceof NumberArray
      ? numbersToTensor(dtype, shape, flat)
      : createTensor(dtype, shape, flat as never);
  } catch (error) {
    // Both name the bad element (data[7] is not a valid int32 value: 1.5).
    throw new OxvError('ERR_INPUT_DTYPE', `${where}: ${(error as Error).message}`, { cause: error });
  }
}

/**
 * Raw little-endian bytes (the binary tensor extension) into a tensor. A request body that this request
 * owns outright (buffers.ts) is used in place when the bytes are aligned for the element type; anything
 * else is copied, since a typed array needs alignment and the tensor must outlive the caller's buffer.
 */
export function tensorFromBytes(dtype: DType, shape: number[], bytes: Uint8Array, where: string): Tensor {
  const expected = elementCount(shape) * DTYPE_BYTES[dtype];
  if (bytes.byteLength !== expected) {
    throw new OxvError(
      'ERR_INPUT_SHAPE',
      `${where}: shape [${shape.join(', ')}] of ${dtype} needs ${expected} bytes but binary_data_size is ${bytes.byteLength}`,
    );
  }
  const inPlace = isExclusive(bytes.buffer) && bytes.byteOffset % DTYPE_BYTES[dtype] === 0;
  // A copy goes into request-owned storage (shared memory when large, buffers.ts): a gRPC message's
  // bytes, or a misaligned binary part, then reach the worker without another copy or a count against
  // V8's external memory (whose every crossing starts a full collection).
  const copy = inPlace ? bytes : new Uint8Array(allocateRequestStorage(expected), 0, expected);
  if (!inPlace) copy.set(bytes);
  const { buffer, byteOffset: at } = copy;
  const count = elementCount(shape);
  switch (dtype) {
    case 'float32':
      return createTensor(dtype, shape, new Float32Array(buffer, at, count));
    case 'float64':
      return createTensor(dtype, shape, new Float64Array(buffer, at, count));
    case 'float16':
      return createTensor(dtype, shape, new Uint16Array(buffer, at, count));
    case 'int64':
      return createTensor(dtype, shape, new BigInt64Array(buffer, at, count));
    case 'int32':
      return createTensor(dtype, shape, new Int32Array(buffer, at, count));
    case 'int8':
      return createTensor(dtype, shape, new Int8Array(buffer, at, count));
    case 'uint8':
      return createTensor(dtype, shape, copy);
    case 'bool':
      // Any non-zero byte is true; the model must see exactly 0 or 1.
      for (let i = 0; i < copy.length; i++) copy[i] = copy[i] ? 1 : 0;
      return createTensor(dtype, shape, copy);
  }
}

/** A tensor's elements as the little-endian bytes the binary extension sends. */
export function tensorToBytes(tensor: Tensor): Buffer {
  const data = tensor.data as ArrayBufferView;
  return Buffer.from(data.buffer, data.byteOffset, data.byteLength);
}
