import { describe, expect, it } from 'vitest';
import { createTensor } from '@oxidizedvision/runtime';
import {
  allocateRequestStorage,
  isExclusive,
  markExclusive,
  SHARED_MIN_BYTES,
  toPrivateTensor,
  toSharedTensor,
  UNCOUNTED_BUDGET_BYTES,
  uncountedSharedBytes,
} from '../dist/buffers.js';
import { tensorFromBytes } from '../dist/protocol/tensor-data.js';
import { forTransfer, partsForTransfer } from '../dist/workers/transfer.js';

/** 4 float32 values behind `offset` bytes of other content, as a request body holds them. */
function bodyWith(offset: number, exclusive: boolean): Uint8Array {
  const storage = new ArrayBuffer(offset + 16);
  const bytes = new Uint8Array(storage, offset, 16);
  bytes.set(new Uint8Array(Float32Array.from([1, 2, 3, 4]).buffer));
  if (exclusive) markExclusive(storage);
  return bytes;
}

describe('request-owned buffers', () => {
  it('uses aligned bytes of a request-owned body in place, and copies anything else', () => {
    const inPlace = tensorFromBytes('float32', [4], bodyWith(8, true), 'input');
    expect(inPlace.data.byteOffset).toBe(8);
    expect(Array.from(inPlace.data as Float32Array)).toEqual([1, 2, 3, 4]);

    const unaligned = tensorFromBytes('float32', [4], bodyWith(6, true), 'input');
    const borrowed = tensorFromBytes('float32', [4], bodyWith(8, false), 'input');
    for (const copy of [unaligned, borrowed]) {
      expect(copy.data.byteOffset).toBe(0);
      expect(copy.data.buffer.byteLength).toBe(16);
      expect(Array.from(copy.data as Float32Array)).toEqual([1, 2, 3, 4]);
    }
  });

  it('transfers a request-owned body whole, once, for every tensor that views it', () => {
    const storage = new ArrayBuffer(64);
    markExclusive(storage);
    const a = createTensor('float32', [2], new Float32Array(storage, 8, 2));
    const b = createTensor('float32', [2], new Float32Array(storage, 32, 2));
    const { tensors, transfer } = forTransfer({ a, b });
    expect(transfer).toEqual([storage]);
    expect(tensors.a!.data).toBe(a.data);
    expect(tensors.b!.data).toBe(b.data);
  });

  it('copies a view of a buffer it does not own before transfer, so the owner keeps its memory', () => {
    const shared = new ArrayBuffer(64);
    const view = createTensor('float32', [2], new Float32Array(shared, 8, 2));
    const { parts, transfer } = partsForTransfer({ x: [view] });
    expect(transfer).toHaveLength(1);
    expect(transfer[0]).not.toBe(shared);
    expect(parts.x![0]!.data.buffer.byteLength).toBe(8);
  });
});

describe('shared memory for large tensors', () => {
  it('gives large request bodies shared, request-owned storage and small ones a private buffer', () => {
    const large = allocateRequestStorage(SHARED_MIN_BYTES);
    const small = allocateRequestStorage(SHARED_MIN_BYTES - 1);
    expect(large).toBeInstanceOf(SharedArrayBuffer);
    expect(small).toBeInstanceOf(ArrayBuffer);
    expect(isExclusive(large) && isExclusive(small)).toBe(true);
  });

  it('shares a request-owned SharedArrayBuffer as it is instead of copying or transferring it', () => {
    const storage = allocateRequestStorage(SHARED_MIN_BYTES + 8);
    const x = createTensor('float32', [4], new Float32Array(storage, 8, 4));
    const { tensors, transfer } = forTransfer({ x });
    expect(transfer).toEqual([]);
    expect(tensors.x!.data).toBe(x.data);
  });

  it('copies a SharedArrayBuffer it does not own, like any borrowed view', () => {
    const foreign = new SharedArrayBuffer(SHARED_MIN_BYTES);
    const x = createTensor('float32', [2], new Float32Array(foreign, 0, 2));
    const { tensors, transfer } = forTransfer({ x });
    expect(transfer).toHaveLength(1);
    expect(tensors.x!.data.buffer).toBeInstanceOf(ArrayBuffer);
  });

  it('moves large outputs into shared memory with the same type and values, and leaves small ones', () => {
    const values = Float32Array.from({ length: SHARED_MIN_BYTES / 4 }, (_, i) => i * 0.5);
    const big = toSharedTensor(createTensor('float32', [values.length], values));
    expect(big.data.buffer).toBeInstanceOf(SharedArrayBuffer);
    expect(big.data).toBeInstanceOf(Float32Array);
    expect(Array.from(big.data as Float32Array)).toEqual(Array.from(values));
    const ids = createTensor('int64', [2], BigInt64Array.from([1n, 2n]));
    expect(toSharedTensor(ids)).toBe(ids);
  });

  it('copies shared inputs into one reused private buffer per input name, for onnxruntime', () => {
    const scratch = new Map<string, ArrayBuffer>();
    const shared = (v: number) => createTensor('float32', [3], new Float32Array(new SharedArrayBuffer(12)).fill(v));
    const first = toPrivateTensor(shared(1), 'x', scratch);
    const second = toPrivateTensor(shared(2), 'x', scratch);
    expect(first.data.buffer).toBeInstanceOf(ArrayBuffer);
    expect(second.data.buffer).toBe(first.data.buffer);
    expect(Array.from(second.data as Float32Array)).toEqual([2, 2, 2]);
    const plain = createTensor('float32', [1], Float32Array.from([5]));
    expect(toPrivateTensor(plain, 'y', scratch)).toBe(plain);
  });

  it('hands out at most the budget of shared memory between full collections, then ordinary buffers', () => {
    // V8 does not count shared memory, so past the budget large buffers are ArrayBuffers again (counted,
    // bringing the next full collection). A full collection in between resets the count, so allow for one.
    const size = 4 * 1024 * 1024;
    const limit = (3 * UNCOUNTED_BUDGET_BYTES) / size;
    let ordinary: ArrayBufferLike | undefined;
    for (let i = 0; i < limit && ordinary === undefined; i++) {
      const storage = allocateRequestStorage(size);
      expect(uncountedSharedBytes()).toBeLessThanOrEqual(UNCOUNTED_BUDGET_BYTES);
      if (!(storage instanceof SharedArrayBuffer)) ordinary = storage;
    }
    expect(ordinary).toBeInstanceOf(ArrayBuffer);
    expect(isExclusive(ordinary!)).toBe(true);
    // Over budget, a worker's large output stays where it is (it is then transferred, not shared).
    const big = createTensor('float32', [size / 4], new Float32Array(size / 4));
    if (uncountedSharedBytes() + size > UNCOUNTED_BUDGET_BYTES) expect(toSharedTensor(big)).toBe(big);
  });
});
