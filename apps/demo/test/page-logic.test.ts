// The page's pure helpers, in Node: shape checks and postprocessing that the browser tests only reach
// through the denoiser.
import { describe, expect, it } from 'vitest';

import { resolveModelSpec } from '../src/model-spec.js';
import { topK } from '../src/postprocess.js';

describe('resolveModelSpec', () => {
  it('refuses a model whose input is not rank 4, naming the shape', () => {
    expect(() => resolveModelSpec('m', [{ name: 'x', dtype: 'float32', shape: [2, 4, 16] }], [], null)).toThrow(
      /wrong input rank.*\[2, 4, 16\] \(rank 3\)/,
    );
  });

  it('guesses NCHW 0–1 preprocessing from the input shape when there is no card', () => {
    const spec = resolveModelSpec(
      'net.onnx',
      [{ name: 'x', dtype: 'float32', shape: [1, 3, 224, 224] }],
      [{ name: 'y', dtype: 'float32', shape: [1, 1000] }],
      null,
    );
    expect(spec.task).toBe('classification');
    expect(spec.preprocess).toMatchObject({ size: [224, 224], layout: 'NCHW', channel_order: 'RGB', scale: 1 / 255 });
  });

  it('falls back to 256² for free spatial dimensions and reads NHWC grey inputs', () => {
    const spec = resolveModelSpec(
      'm',
      [{ name: 'x', dtype: 'float32', shape: ['n', 'h', 'w', 1] }],
      [{ name: 'y', dtype: 'float32', shape: ['n', 5, 'h', 'w'] }],
      null,
    );
    expect(spec.preprocess).toMatchObject({ size: [256, 256], layout: 'NHWC', channel_order: 'GRAY' });
    expect(spec.task).toBe('segmentation');
  });
});

describe('postprocessing', () => {
  it('ranks classes by softmax probability, with the card labels', () => {
    const best = topK(Float32Array.from([0, 2, 1]), ['cat', 'dog', 'fox'], 2);
    expect(best.map((b) => b.label)).toEqual(['dog', 'fox']);
    expect(best[0]!.p).toBeCloseTo(Math.exp(2) / (1 + Math.exp(1) + Math.exp(2)), 6);
  });
});
