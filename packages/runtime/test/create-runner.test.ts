import { describe, expect, it } from 'vitest';
import { createRunner, createTensor, listBackends } from '@oxidizedvision/runtime';
import { registerNodeBackend } from '@oxidizedvision/runtime/node';
import { registerWebBackend } from '@oxidizedvision/runtime/web';
import { fixturePath } from './helpers.js';

describe('createRunner with the real backends', () => {
  registerNodeBackend();
  registerWebBackend();
  registerNodeBackend(); // a second registration must not duplicate it

  it('registers onnxruntime-node above onnxruntime-web', () => {
    expect(listBackends().map((b) => [b.name, b.priority])).toEqual([
      ['onnxruntime-node', 100],
      ['onnxruntime-web', 10],
    ]);
  });

  it.each([
    [undefined, 'onnxruntime-node'],
    ['onnxruntime-web', 'onnxruntime-web'],
  ])('with backend %s, runs on %s and agrees with the other', async (backend, expected) => {
    const runner = await createRunner(fixturePath('two_io.onnx'), backend === undefined ? {} : { backend });
    try {
      expect(runner.backend).toBe(expected);
      const x = createTensor(
        'float32',
        [1, 3, 4, 4],
        Array.from({ length: 48 }, (_, i) => i / 8),
      );
      const out = await runner.run({ x, n: createTensor('int64', [1, 2], [5n, -5n]) });
      expect((out.y!.data as Float32Array)[47]).toBeCloseTo((2 * 47) / 8 + 1, 6);
      expect(Array.from(out.m!.data as BigInt64Array)).toEqual([6n, -4n]);
    } finally {
      await runner.dispose();
    }
  });
});
