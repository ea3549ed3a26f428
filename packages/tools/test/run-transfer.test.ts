import { MessageChannel, markAsUntransferable } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { createTensor, type Tensor } from '@oxidizedvision/runtime';
import { postTensors } from '../dist/run/transfer.js';

type Reply = { id: number; outputs: Record<string, Tensor> };

async function roundTrip(outputs: Record<string, Tensor>): Promise<Reply> {
  const { port1, port2 } = new MessageChannel();
  const reply = new Promise<Reply>((resolve) => port2.once('message', resolve));
  postTensors(port1, 7, outputs);
  const got = await reply;
  port1.close();
  return got;
}

describe('worker replies', () => {
  it('move output buffers to the main thread instead of copying them', async () => {
    const out = createTensor(
      'float32',
      [1, 3, 2, 2],
      Float32Array.from({ length: 12 }, (_, i) => i / 10),
    );
    const expected = Array.from(out.data);
    const reply = await roundTrip({ out });
    expect(out.data.byteLength).toBe(0); // detached: the bytes moved, no copy was made
    expect(reply.id).toBe(7);
    expect(Array.from(reply.outputs['out']!.data as Float32Array)).toEqual(expected);
  });

  it('copy outputs whose buffers Node refuses to move (native memory), and still deliver them', async () => {
    const out = createTensor('float32', [1, 1, 1, 3], [1, 2, 3]);
    markAsUntransferable(out.data.buffer);
    const reply = await roundTrip({ out });
    expect(Array.from(out.data)).toEqual([1, 2, 3]); // still usable: it was copied, not moved
    expect(reply.outputs['out']).toMatchObject({ dtype: 'float32', shape: [1, 1, 1, 3] });
    expect(Array.from(reply.outputs['out']!.data as Float32Array)).toEqual([1, 2, 3]);
  });

  it('send two outputs that share one buffer', async () => {
    const buffer = new Float32Array(4);
    buffer.set([1, 2, 3, 4]);
    const a = createTensor('float32', [1, 2], buffer.subarray(0, 2));
    const b = createTensor('float32', [1, 2], buffer.subarray(2));
    const reply = await roundTrip({ a, b });
    expect(Array.from(reply.outputs['a']!.data as Float32Array)).toEqual([1, 2]);
    expect(Array.from(reply.outputs['b']!.data as Float32Array)).toEqual([3, 4]);
  });
});
