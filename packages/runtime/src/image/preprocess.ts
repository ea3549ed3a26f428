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
  const data = new Float32Array(channels * height * width);
  const nchw = spec.layout === 'NCHW';
  if (spec.channel_order === 'GRAY' && image.channels !== 1) writeLuma(image, spec, data);
  else {
    // Model channel c reads source channel map[c]; a grey source feeds every channel.
    const map = image.channels === 1 ? [0, 0, 0] : spec.channel_order === 'BGR' ? [2, 1, 0] : [0, 1, 2];
    for (let c = 0; c < channels; c++) {
      const [offset, stride] = nchw ? [c * height * width, 1] : [c, channels];
      const source = { pixels: image.data, stride: image.channels, channel: map[c]! };
      writeChannel(source, normaliseTable(spec, c), height * width, data, offset, stride);
    }
  }
  const shape = nchw ? [1, channels, height, width] : [1, height, width, channels];
  return { tensor: createTensor('float32', shape, data), placement };
}

/**
 * The normalised value of each 8-bit level for model channel `c`, computed with exactly the expression
 * (v·scale − mean) / std that a per-pixel loop would use, so the table gives bit-identical tensors while
 * the loop over pixels is one lookup.
 */
function normaliseTable(spec: PreprocessSpec, c: number): Float32Array {
  const mean = spec.mean[c] ?? spec.mean[0]!;
  const std = spec.std[c] ?? spec.std[0]!;
  const table = new Float32Array(256);
  for (let v = 0; v < 256; v++) table[v] = (v * spec.scale - mean) / std;
  return table;
}

/** One channel of `count` interleaved pixels → out[offset + p·stride], through the level table. */
function writeChannel(
  source: { pixels: Uint8Array | Uint8ClampedArray; stride: number; channel: number },
  table: Float32Array,
  count: number,
  out: Float32Array,
  offset: number,
  stride: number,
): void {
  const { pixels, stride: step } = source;
  for (let p = 0, s = source.channel, o = offset; p < count; p++, s += step, o += stride) out[o] = table[pixels[s]!]!;
}

/** ITU-R BT.601 luma, as PIL's convert('L') and sharp's greyscale use, normalised like channel 0. */
function writeLuma(image: RawImage, spec: PreprocessSpec, out: Float32Array): void {
  const { data, channels } = image;
  const { scale } = spec;
  const mean = spec.mean[0]!;
  const std = spec.std[0]!;
  const count = image.width * image.height;
  for (let p = 0, s = 0; p < count; p++, s += channels) {
    const luma = 0.299 * data[s]! + 0.587 * data[s + 1]! + 0.114 * data[s + 2]!;
    out[p] = (luma * scale - mean) / std;
  }
}
