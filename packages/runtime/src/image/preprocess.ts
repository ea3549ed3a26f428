import { createTensor, type Tensor } from '../tensor.js';
import { resizeBilinear } from './resize.js';
import type { Placement, PreprocessSpec, RawImage } from './types.js';

const LETTERBOX_GREY = 114;

/** Where an image of this size goes inside the model input, for each resize mode. */
export function planPlacement(width: number, height: number, spec: Pick<PreprocessSpec, 'size' | 'resize'>): Placement {
  const [targetH, targetW] = spec.size;
  if (spec.resize === 'stretch') return { scaledWidth: targetW, scaledHeight: targetH, offsetX: 0, offsetY: 0 };
  const ratio =
    spec.resize === 'fill' ? Math.max(targetW / width, targetH / height) : Math.min(targetW / width, targetH / height);
  const scaledWidth = Math.max(1, Math.round(width * ratio));
  const scaledHeight = Math.max(1, Math.round(height * ratio));
  return {
    scaledWidth,
    scaledHeight,
    offsetX: Math.floor((targetW - scaledWidth) / 2),
    offsetY: Math.floor((targetH - scaledHeight) / 2),
  };
}

/** Scales, then crops or pads the image onto a canvas of exactly `size`. */
export function fitImage(
  image: RawImage,
  spec: Pick<PreprocessSpec, 'size' | 'resize'>,
): { image: RawImage; placement: Placement } {
  const placement = planPlacement(image.width, image.height, spec);
  const scaled = resizeBilinear(image, placement.scaledWidth, placement.scaledHeight);
  const [height, width] = spec.size;
  if (placement.offsetX === 0 && placement.offsetY === 0 && scaled.width === width && scaled.height === height) {
    return { image: scaled, placement };
  }
  const { channels } = scaled;
  const canvas = new Uint8Array(width * height * channels).fill(spec.resize === 'letterbox' ? LETTERBOX_GREY : 0);
  for (let y = 0; y < height; y++) {
    const sy = y - placement.offsetY;
    if (sy < 0 || sy >= scaled.height) continue;
    for (let x = 0; x < width; x++) {
      const sx = x - placement.offsetX;
      if (sx < 0 || sx >= scaled.width) continue;
      for (let c = 0; c < channels; c++)
        canvas[(y * width + x) * channels + c] = scaled.data[(sy * scaled.width + sx) * channels + c]!;
    }
  }
  return { image: { width, height, channels, data: canvas }, placement };
}

/** Reads channel `c` of the model's channel order from an interleaved pixel (RGB, RGBA or grey source). */
function channelReader(image: RawImage, order: PreprocessSpec['channel_order']): (pixel: number, c: number) => number {
  const { data, channels } = image;
  if (order === 'GRAY') {
    if (channels === 1) return (p) => data[p]!;
    // ITU-R BT.601 luma, as PIL's convert('L') and sharp's greyscale use.
    return (p) => 0.299 * data[p * channels]! + 0.587 * data[p * channels + 1]! + 0.114 * data[p * channels + 2]!;
  }
  const map = order === 'BGR' ? [2, 1, 0] : [0, 1, 2];
  if (channels === 1) return (p) => data[p]!;
  return (p, c) => data[p * channels + map[c]!]!;
}

/**
 * Turns decoded pixels into a float32 model input [1, C, H, W] (or [1, H, W, C]) following the model
 * card's preprocessing. Pure arithmetic on typed arrays: the same function runs in Node and the browser.
 */
export function imageToTensor(
  source: RawImage,
  spec: PreprocessSpec,
): { tensor: Tensor<'float32'>; placement: Placement } {
  const channels = spec.channel_order === 'GRAY' ? 1 : 3;
  if (spec.mean.length < channels && spec.mean.length !== 1) {
    throw new RangeError(`preprocess.mean has ${spec.mean.length} values for ${channels} channel(s)`);
  }
  const { image, placement } = fitImage(source, spec);
  const [height, width] = spec.size;
  const read = channelReader(image, spec.channel_order);
  const data = new Float32Array(channels * height * width);
  const plane = height * width;
  for (let c = 0; c < channels; c++) {
    const mean = spec.mean[c] ?? spec.mean[0]!;
    const std = spec.std[c] ?? spec.std[0]!;
    for (let p = 0; p < plane; p++) {
      const value = (read(p, c) * spec.scale - mean) / std;
      data[spec.layout === 'NCHW' ? c * plane + p : p * channels + c] = value;
    }
  }
  const shape = spec.layout === 'NCHW' ? [1, channels, height, width] : [1, height, width, channels];
  return { tensor: createTensor('float32', shape, data), placement };
}
