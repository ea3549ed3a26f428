import { createTensor, float32ToFloat16Bits, type DType, type Tensor } from '@oxidizedvision/runtime';
import type { NumberArray } from './number-array.js';

/**
 * A parsed `data` array into a tensor of `dtype`, checking every element as createTensor does for plain
 * arrays (same messages: `data[7] is not a valid int32 value: 1.5`), but in one pass over the typed array.
 * Throws TypeError naming the first element that does not fit; the caller adds which input it was.
 */
export function numbersToTensor(dtype: DType, shape: readonly number[], numbers: NumberArray): Tensor {
  const { values, firstBoolean } = numbers;
  if (dtype === 'bool') {
    const out = new Uint8Array(values.length);
    for (let i = 0; i < values.length; i++) {
      const v = values[i]!;
      if (v !== 0 && v !== 1) invalid(dtype, i, v);
      out[i] = v;
    }
    return createTensor(dtype, shape, out);
  }
  if (firstBoolean >= 0) invalid(dtype, firstBoolean, values[firstBoolean] === 1);
  switch (dtype) {
    case 'float32':
      return createTensor(dtype, shape, values instanceof Float32Array ? values : Float32Array.from(values));
    case 'float64':
      return createTensor(dtype, shape, Float64Array.from(values));
    case 'float16': {
      const out = new Uint16Array(values.length);
      for (let i = 0; i < values.length; i++) out[i] = float32ToFloat16Bits(values[i]!);
      return createTensor(dtype, shape, out);
    }
    case 'int64':
      return createTensor(dtype, shape, toInt64(numbers));
    default:
      return createTensor(dtype, shape, toIntegers(dtype, values));
  }
}

const INTEGER_RANGES = {
  int32: [-(2 ** 31), 2 ** 31 - 1, Int32Array],
  int8: [-128, 127, Int8Array],
  uint8: [0, 255, Uint8Array],
} as const;

function toIntegers(
  dtype: 'int32' | 'int8' | 'uint8',
  values: Float32Array | Float64Array,
): Int32Array | Int8Array | Uint8Array {
  const [min, max, Typed] = INTEGER_RANGES[dtype];
  const out = new Typed(values.length);
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    // Typed arrays wrap out-of-range integers silently (300 → 44 in uint8); refuse instead of corrupting.
    if (!Number.isInteger(v) || v < min || v > max) invalid(dtype, i, v);
    out[i] = v;
  }
  return out;
}

function toInt64({ values, longIntegers }: NumberArray): BigInt64Array {
  const out = new BigInt64Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const text = longIntegers?.get(i);
    const v = values[i]!;
    if (text !== undefined) {
      const exact = BigInt(text);
      if (exact < -(2n ** 63n) || exact >= 2n ** 63n) invalid('int64', i, text);
      out[i] = exact;
    } else if (Number.isInteger(v)) out[i] = BigInt(v);
    else invalid('int64', i, v);
  }
  return out;
}

function invalid(dtype: DType, index: number, value: unknown): never {
  throw new TypeError(`data[${index}] is not a valid ${dtype} value: ${String(value)}`);
}
