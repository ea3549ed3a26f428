import { describe, expect, it } from 'vitest';
import {
  imageToTensor,
  planPlacement,
  resizeBilinear,
  type PreprocessSpec,
  type RawImage,
} from '@oxidizedvision/runtime';

function rgb(width: number, height: number, fn: (x: number, y: number) => [number, number, number]): RawImage {
  const data = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) data.set(fn(x, y), (y * width + x) * 3);
  return { width, height, channels: 3, data };
}

const SPEC: PreprocessSpec = {
  size: [2, 2],
  resize: 'stretch',
  scale: 1,
  mean: [0, 0, 0],
  std: [1, 1, 1],
  layout: 'NCHW',
  channel_order: 'RGB',
};

describe('resizeBilinear', () => {
  it('returns the same pixels at the same size', () => {
    const image = rgb(3, 2, (x, y) => [x * 10, y * 10, 7]);
    expect(Array.from(resizeBilinear(image, 3, 2).data)).toEqual(Array.from(image.data));
  });

  it('interpolates with half-pixel centres (align_corners=False)', () => {
    // A 2x1 ramp 0 → 100 upscaled to 4x1: centres at -0.25, 0.25, 0.75, 1.25 (clamped) → 0, 25, 75, 100.
    const image: RawImage = { width: 2, height: 1, channels: 1, data: new Uint8Array([0, 100]) };
    expect(Array.from(resizeBilinear(image, 4, 1).data)).toEqual([0, 25, 75, 100]);
  });

  it('averages blocks when shrinking by 2x or more, so a checkerboard turns grey instead of aliasing', () => {
    const board: RawImage = {
      width: 4,
      height: 4,
      channels: 1,
      data: new Uint8Array(16).map((_, i) => (((i % 4) + Math.floor(i / 4)) % 2 ? 255 : 0)),
    };
    expect(Array.from(resizeBilinear(board, 2, 2).data)).toEqual([128, 128, 128, 128]);
  });

  it('rejects a non-integer target size', () => {
    expect(() =>
      resizeBilinear(
        rgb(2, 2, () => [0, 0, 0]),
        1.5,
        2,
      ),
    ).toThrow(RangeError);
  });
});

describe('planPlacement', () => {
  it('fill covers the target and centre-crops', () => {
    expect(planPlacement(400, 200, { size: [100, 100], resize: 'fill' })).toEqual({
      scaledWidth: 200,
      scaledHeight: 100,
      offsetX: -50,
      offsetY: 0,
    });
  });

  it('fit and letterbox keep the whole image and centre it', () => {
    expect(planPlacement(400, 200, { size: [100, 100], resize: 'fit' })).toEqual({
      scaledWidth: 100,
      scaledHeight: 50,
      offsetX: 0,
      offsetY: 25,
    });
  });
});

describe('imageToTensor', () => {
  const image = rgb(2, 2, (x, y) => [10 + x, 20 + y, 30]);

  it('normalises into NCHW with scale, mean and std', () => {
    const { tensor } = imageToTensor(image, { ...SPEC, scale: 0.5, mean: [5, 10, 15], std: [1, 2, 3] });
    expect(tensor.shape).toEqual([1, 3, 2, 2]);
    // R plane: (10..11)*0.5 - 5; G plane: ((20..21)*0.5 - 10)/2; B plane: (30*0.5 - 15)/3 = 0
    expect(Array.from(tensor.data)).toEqual([0, 0.5, 0, 0.5, 0, 0, 0.25, 0.25, 0, 0, 0, 0]);
  });

  it('writes NHWC and BGR on request', () => {
    const { tensor } = imageToTensor(image, { ...SPEC, layout: 'NHWC', channel_order: 'BGR' });
    expect(tensor.shape).toEqual([1, 2, 2, 3]);
    expect(Array.from(tensor.data.slice(0, 3))).toEqual([30, 20, 10]);
  });

  it('converts to one grey channel with BT.601 weights', () => {
    const { tensor } = imageToTensor(
      rgb(1, 1, () => [255, 0, 0]),
      { ...SPEC, size: [1, 1], channel_order: 'GRAY' },
    );
    expect(tensor.shape).toEqual([1, 1, 1, 1]);
    expect(tensor.data[0]).toBeCloseTo(0.299 * 255, 4);
  });

  it('pads letterboxed images with grey 114', () => {
    const wide = rgb(4, 2, () => [200, 200, 200]);
    const { tensor, placement } = imageToTensor(wide, { ...SPEC, size: [4, 4], resize: 'letterbox' });
    expect(placement).toEqual({ scaledWidth: 4, scaledHeight: 2, offsetX: 0, offsetY: 1 });
    expect(tensor.data[0]).toBe(114); // top padding row
    expect(tensor.data[4]).toBe(200); // first image row
  });
});
