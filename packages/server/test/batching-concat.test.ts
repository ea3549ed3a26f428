import { describe, expect, it } from 'vitest';
import { createTensor, float32ToFloat16Bits } from '@oxidizedvision/runtime';
import { batchExtent, concatBatch, splitBatch, subQueueKey } from '../dist/batching/index.js';
import { expectOxvErrorSync } from './fixtures/helpers.js';

describe('concatBatch / splitBatch', () => {
  it('round-trips int64 values beyond 2^53 exactly', () => {
    const big = 2n ** 60n + 7n;
    const a = createTensor('int64', [1, 2], [big, -big]);
    const b = createTensor('int64', [2, 2], [1n, 2n, 3n, 4n]);
    const joined = concatBatch([a, b]);
    expect(joined.shape).toEqual([3, 2]);
    expect(joined.data).toBeInstanceOf(BigInt64Array);
    const [first, second] = splitBatch('n', joined, [1, 2]);
    expect(Array.from(first!.data as BigInt64Array)).toEqual([big, -big]);
    expect(Array.from(second!.data as BigInt64Array)).toEqual([1n, 2n, 3n, 4n]);
  });

  it('keeps float16 bits and bool bytes in their storage classes', () => {
    const h = [0.5, -2, 65504].map(float32ToFloat16Bits);
    const halves = concatBatch([createTensor('float16', [1, 1], [0.5]), createTensor('float16', [2, 1], [-2, 65504])]);
    expect(halves.data).toBeInstanceOf(Uint16Array);
    expect(Array.from(halves.data as Uint16Array)).toEqual(h);
    const bools = concatBatch([
      createTensor('bool', [1, 2], [true, false]),
      createTensor('bool', [1, 2], [false, true]),
    ]);
    expect(Array.from(bools.data as Uint8Array)).toEqual([1, 0, 0, 1]);
  });

  it('passes a single part through untouched, and splits into views of the batch without copying', () => {
    const only = createTensor('float32', [2, 3], [1, 2, 3, 4, 5, 6]);
    expect(concatBatch([only])).toBe(only);
    expect(splitBatch('y', only, [2])[0]).toBe(only);
    const slices = splitBatch('y', only, [1, 1]);
    expect(slices.map((s) => Array.from(s.data as Float32Array))).toEqual([
      [1, 2, 3],
      [4, 5, 6],
    ]);
    for (const slice of slices) expect(slice.data.buffer).toBe(only.data.buffer);
    expect(slices.map((s) => s.data.byteOffset)).toEqual([0, 12]);
  });

  it('refuses to split an output whose dim 0 is not the batch', () => {
    expectOxvErrorSync(() => splitBatch('y', createTensor('float32', [3], [1, 2, 3]), [1, 1]), 'ERR_INFERENCE');
  });
});

describe('sub-queue keys and batch extents', () => {
  it('separates requests by dtype and non-batch dims, not by batch size', () => {
    const key = (batch: number, width: number, dtype: 'float32' | 'float64' = 'float32') =>
      subQueueKey({ x: createTensor(dtype, [batch, width]) });
    expect(key(1, 4)).toBe(key(3, 4));
    expect(key(1, 4)).not.toBe(key(1, 5));
    expect(key(1, 4)).not.toBe(key(1, 4, 'float64'));
  });

  it('takes dim 0 as the batch extent and needs every input to agree', () => {
    expect(batchExtent({ a: createTensor('float32', [3, 2]), b: createTensor('int64', [3]) })).toBe(3);
    expectOxvErrorSync(
      () => batchExtent({ a: createTensor('float32', [3, 2]), b: createTensor('int64', [2]) }),
      'ERR_INPUT_SHAPE',
    );
  });
});
