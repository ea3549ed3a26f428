import { describe, expect, it } from 'vitest';
import { createTensor } from '@oxidizedvision/runtime';
import { markExclusive } from '../dist/buffers.js';
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
