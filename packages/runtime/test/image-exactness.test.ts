import { describe, expect, it } from 'vitest';
import {
  createRng,
  createTensor,
  imageToTensor,
  planarFromTensor,
  planarToImage,
  type PreprocessSpec,
  type RawImage,
} from '@oxidizedvision/runtime';

// imageToTensor and planarToImage use lookup tables and hand-rounded loops for speed; the browser page and
// the CLI must still compute exactly what the per-pixel formulas give. These references are those formulas.
function referenceTensor(image: RawImage, spec: PreprocessSpec): Float32Array {
  const channels = spec.channel_order === 'GRAY' ? 1 : 3;
  const plane = image.width * image.height;
  const out = new Float32Array(channels * plane);
  const map = spec.channel_order === 'BGR' ? [2, 1, 0] : [0, 1, 2];
  for (let c = 0; c < channels; c++) {
    for (let p = 0; p < plane; p++) {
      const px = (k: number): number => image.data[p * image.channels + k]!;
      const v =
        image.channels === 1
          ? px(0)
          : spec.channel_order === 'GRAY'
            ? 0.299 * px(0) + 0.587 * px(1) + 0.114 * px(2)
            : px(map[c]!);
      const value = (v * spec.scale - (spec.mean[c] ?? spec.mean[0]!)) / (spec.std[c] ?? spec.std[0]!);
      out[spec.layout === 'NCHW' ? c * plane + p : p * channels + c] = value;
    }
  }
  return out;
}

function referenceImage(planar: ArrayLike<number>, channels: number, plane: number, spec: PreprocessSpec): number[] {
  const outChannels = channels >= 3 ? 3 : 1;
  const out = new Uint8Array(plane * outChannels); // stores NaN as 0, as the image's bytes do
  for (let p = 0; p < plane; p++)
    for (let c = 0; c < outChannels; c++) {
      const source = spec.channel_order === 'BGR' && outChannels === 3 ? 2 - c : c;
      const v =
        (planar[source * plane + p]! * (spec.std[source] ?? spec.std[0]!) + (spec.mean[source] ?? spec.mean[0]!)) /
        spec.scale;
      out[p * outChannels + c] = v <= 0 ? 0 : v >= 255 ? 255 : Math.round(v);
    }
  return Array.from(out);
}

const bits = (a: Float32Array): number[] => Array.from(new Uint32Array(a.buffer, a.byteOffset, a.length));

function randomImage(width: number, height: number, channels: 1 | 3 | 4, seed: number): RawImage {
  const rng = createRng(seed);
  const data = new Uint8Array(width * height * channels).map(() => Math.floor(rng.next() * 256));
  return { width, height, channels, data };
}

const IMAGENET = { mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225] };
const SPECS: PreprocessSpec[] = [
  { size: [5, 7], resize: 'stretch', scale: 1 / 255, mean: [0], std: [1], layout: 'NCHW', channel_order: 'RGB' },
  { size: [5, 7], resize: 'stretch', scale: 1 / 255, ...IMAGENET, layout: 'NHWC', channel_order: 'BGR' },
  { size: [5, 7], resize: 'stretch', scale: 1, mean: [127.5], std: [127.5], layout: 'NCHW', channel_order: 'GRAY' },
];

describe('image fast paths give exactly the per-pixel formulas', () => {
  it.each(SPECS.flatMap((spec) => ([1, 3, 4] as const).map((channels) => [spec, channels] as const)))(
    'imageToTensor: %o from %i-channel pixels, bit for bit',
    (spec, channels) => {
      const image = randomImage(7, 5, channels, channels * 11);
      const { tensor } = imageToTensor(image, spec);
      expect(bits(tensor.data)).toEqual(bits(referenceTensor(image, spec)));
    },
  );

  it.each(SPECS)('planarToImage: %o, over the whole range and beyond, equals Math.round after the clamp', (spec) => {
    const rng = createRng(5);
    const channels = spec.channel_order === 'GRAY' ? 1 : 3;
    const plane = 400;
    const planar = new Float32Array(channels * plane).map(() => rng.next() * 1.4 - 0.2);
    const image = planarToImage(planar, { channels, width: 20, height: 20 }, spec);
    expect(Array.from(image.data)).toEqual(referenceImage(planar, channels, plane, spec));
  });

  it('rounds half-way and near-half-way values as Math.round does, NaN to 0', () => {
    const spec: PreprocessSpec = { ...SPECS[0]!, scale: 1, channel_order: 'GRAY' };
    const values = [0.49999999999999994, 0.5, 1.5, 2.5, 2.4999999999999996, 254.49999999999997, 254.5, -0, NaN, 1e300];
    const image = planarToImage(values, { channels: 1, width: values.length, height: 1 }, spec);
    expect(Array.from(image.data)).toEqual(referenceImage(values, 1, values.length, spec));
    expect(Array.from(image.data)).toEqual([0, 1, 2, 3, 2, 254, 255, 0, 0, 255]);
  });

  it('keeps float64 inputs exact (no rounding through float32 first)', () => {
    const spec: PreprocessSpec = { ...SPECS[0]!, scale: 1, channel_order: 'GRAY' };
    // Through float32 these would become 0.5, 2.5 and 100.5, and round up.
    const values = Float64Array.from([0.4999999999, 2.4999999999, 100.49999999]);
    const image = planarToImage(values, { channels: 1, width: 3, height: 1 }, spec);
    expect(Array.from(image.data)).toEqual([0, 2, 100]);
  });

  it('reads a float32 NCHW output without copying, and converts other dtypes', () => {
    const tensor = createTensor('float32', [1, 1, 2, 2], [0.1, 0.2, 0.3, 0.4]);
    expect(planarFromTensor(tensor, 'NCHW').data).toBe(tensor.data);
    const doubles = planarFromTensor(createTensor('float64', [1, 1, 1, 2], [0.25, 1.5]), 'NCHW');
    expect(doubles.data).toBeInstanceOf(Float32Array);
    expect(Array.from(doubles.data)).toEqual([0.25, 1.5]);
  });
});
