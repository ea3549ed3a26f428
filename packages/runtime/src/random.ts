import type { DType } from './dtype.js';
import { float32ToFloat16Bits } from './float16.js';
import { createTensor, tensorSize, type Tensor } from './tensor.js';

/** A small seeded generator: same seed, same sequence, on every platform. Not for cryptography. */
export interface Rng {
  readonly seed: number;
  /** Uniform in [0, 1). */
  next(): number;
  /** Standard normal (mean 0, standard deviation 1). */
  normal(): number;
}

/**
 * mulberry32: 32-bit state, passes the statistical checks that matter for test inputs, and is exactly
 * reproducible in JS because it only uses 32-bit integer ops (Math.imul).
 */
export function createRng(seed: number): Rng {
  if (typeof seed !== 'number' || !Number.isSafeInteger(seed)) {
    throw new RangeError(`seed must be an integer, got ${String(seed)}`);
  }
  let state = seed | 0;
  let spare: number | undefined;

  const next = (): number => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };

  // Box–Muller yields pairs; the second value is kept for the next call so no draw is wasted.
  const normal = (): number => {
    if (spare !== undefined) {
      const value = spare;
      spare = undefined;
      return value;
    }
    const u1 = 1 - next(); // (0, 1]: log(0) would be -Infinity
    const u2 = next();
    const radius = Math.sqrt(-2 * Math.log(u1));
    spare = radius * Math.sin(2 * Math.PI * u2);
    return radius * Math.cos(2 * Math.PI * u2);
  };

  return { seed, next, normal };
}

/**
 * A tensor of reproducible test data: float dtypes standard normal, int8/int32/int64 integers in [0, 10),
 * uint8 in [0, 255], bool 0 or 1.
 */
export function randomTensor<T extends DType>(dtype: T, shape: readonly number[], rng: Rng): Tensor<T> {
  const tensor = createTensor(dtype, shape);
  const size = tensorSize(shape);
  const data = tensor.data as unknown as { [index: number]: number | bigint };
  for (let i = 0; i < size; i++) data[i] = draw(dtype, rng);
  return tensor;
}

function draw(dtype: DType, rng: Rng): number | bigint {
  switch (dtype) {
    case 'float32':
    case 'float64':
      return rng.normal();
    case 'float16':
      return float32ToFloat16Bits(rng.normal());
    case 'int64':
      return BigInt(Math.floor(rng.next() * 10));
    case 'int32':
    case 'int8':
      return Math.floor(rng.next() * 10);
    case 'uint8':
      return Math.floor(rng.next() * 256);
    case 'bool':
      return rng.next() < 0.5 ? 1 : 0;
  }
}
