import { describe, expect, it } from 'vitest';
import {
  createTensor,
  imageToTensor,
  planarFromTensor,
  restoreToSource,
  tensorToImage,
  type PreprocessSpec,
} from '@oxidizedvision/runtime';

const SPEC: PreprocessSpec = {
  size: [2, 2],
  resize: 'stretch',
  scale: 1 / 255,
  mean: [0],
  std: [1],
  layout: 'NCHW',
  channel_order: 'RGB',
};

describe('image postprocessing (shared by run, serve and the browser page)', () => {
  it('round-trips an RGBA image through imageToTensor and tensorToImage exactly', () => {
    const rgba = Uint8Array.from([10, 20, 30, 255, 40, 50, 60, 0, 70, 80, 90, 128, 250, 5, 0, 255]);
    const { tensor } = imageToTensor({ width: 2, height: 2, channels: 4, data: rgba }, SPEC);
    const back = tensorToImage(tensor, SPEC);
    expect(Array.from(back.data)).toEqual([10, 20, 30, 40, 50, 60, 70, 80, 90, 250, 5, 0]);
  });

  it('clamps out-of-range outputs and swaps BGR back to RGB', () => {
    const bgr: PreprocessSpec = { ...SPEC, size: [1, 1], channel_order: 'BGR' };
    const image = tensorToImage(createTensor('float32', [1, 3, 1, 1], [-0.5, 0.5, 2]), bgr);
    expect(Array.from(image.data)).toEqual([255, 128, 0]);
  });

  it('drops letterbox padding before resizing back to the source size', () => {
    // A 4×2 source letterboxed into 4×4: rows 1–2 hold the image, rows 0 and 3 are padding (9).
    const data = Uint8Array.from([9, 9, 9, 9, 1, 2, 3, 4, 5, 6, 7, 8, 9, 9, 9, 9]);
    const placement = { scaledWidth: 4, scaledHeight: 2, offsetX: 0, offsetY: 1 };
    const restored = restoreToSource({ width: 4, height: 4, channels: 1, data }, placement, [4, 4], 4, 2);
    expect(Array.from(restored.data)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
  });

  it('reads NHWC outputs into planar order', () => {
    const planar = planarFromTensor(createTensor('float32', [1, 1, 2, 3], [1, 2, 3, 4, 5, 6]), 'NHWC');
    expect(planar).toMatchObject({ channels: 3, height: 1, width: 2 });
    expect(Array.from(planar.data)).toEqual([1, 4, 2, 5, 3, 6]);
  });

  it('refuses an output that is not a batch-1 image', () => {
    expect(() => planarFromTensor(createTensor('float32', [2, 3, 1, 1]), 'NCHW')).toThrow(/must be \[1, C, H, W\]/);
  });

  it('maps the placement onto a larger output (an upscaler) before restoring the size', () => {
    // A 2×2 model input whose output is 4×4 (2× upscale), stretch placement: back to a 3×3 source.
    const data = Uint8Array.from({ length: 16 }, (_, i) => i * 10);
    const restored = restoreToSource(
      { width: 4, height: 4, channels: 1, data },
      { scaledWidth: 2, scaledHeight: 2, offsetX: 0, offsetY: 0 },
      [2, 2],
      3,
      3,
    );
    expect(restored).toMatchObject({ width: 3, height: 3, channels: 1 });
  });
});
