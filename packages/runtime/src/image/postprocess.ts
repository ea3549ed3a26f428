import { OxvError } from '../errors.js';
import type { Tensor } from '../tensor.js';
import { toFloat64Array } from '../tensor.js';
import { resizeBilinear } from './resize.js';
import type { Placement, PreprocessSpec, RawImage } from './types.js';

/** An image-shaped model output in planar (CHW) float32, whatever the model's layout. */
export interface PlanarImage {
  data: Float32Array;
  channels: number;
  height: number;
  width: number;
}

/**
 * A batch-1 image output ([1, C, H, W], or [1, H, W, C] for NHWC) as planar float32. A float32 NCHW
 * output is returned without a copy (`data` is the tensor's own array): postprocessing only reads it, and
 * a 256×256 RGB copy costs as much as the denormalisation itself. Copy it before writing to it.
 */
export function planarFromTensor(tensor: Tensor, layout: PreprocessSpec['layout']): PlanarImage {
  if (tensor.shape.length !== 4 || tensor.shape[0] !== 1) {
    throw new OxvError('ERR_INFERENCE', `an image output must be [1, C, H, W]; got [${tensor.shape.join(', ')}]`);
  }
  const source = tensor.dtype === 'float32' ? (tensor.data as Float32Array) : Float32Array.from(toFloat64Array(tensor));
  const [, a, b, c] = tensor.shape as [number, number, number, number];
  if (layout === 'NCHW') return { data: source, channels: a, height: b, width: c };
  const planar = new Float32Array(source.length);
  const plane = a * b;
  for (let ch = 0; ch < c; ch++) {
    for (let p = 0, s = ch, o = ch * plane; p < plane; p++, s += c, o++) planar[o] = source[s]!;
  }
  return { data: planar, channels: c, height: a, width: b };
}

/**
 * Undoes the input normalisation ((v·std + mean) / scale), clamps to 0–255 and rounds to 8-bit RGB (or
 * grey). The CLI's `run`, the server's image endpoint and the browser page all call this, so the three
 * show the same pixels. One channel stays grey; three or more keep the first three, in RGB order even
 * for a BGR model (the original panicked on a 1-channel output and silently dropped the rest).
 */
export function planarToImage(
  planar: ArrayLike<number>,
  geometry: { channels: number; width: number; height: number },
  spec: Pick<PreprocessSpec, 'scale' | 'mean' | 'std' | 'channel_order'>,
): RawImage {
  const { width, height } = geometry;
  const channels = geometry.channels >= 3 ? 3 : 1;
  const plane = width * height;
  const bgr = spec.channel_order === 'BGR' && channels === 3;
  const data = new Uint8Array(plane * channels);
  // Typed input keeps the loop below monomorphic; float64 holds any other array's numbers exactly.
  const values = planar instanceof Float32Array ? planar : Float64Array.from(planar);
  for (let c = 0; c < channels; c++) {
    const source = bgr ? 2 - c : c;
    const mean = spec.mean[source] ?? spec.mean[0]!;
    const std = spec.std[source] ?? spec.std[0]!;
    denormalisePlane(values, source * plane, plane, { mean, std, scale: spec.scale }, data, c, channels);
  }
  return { width, height, channels: channels as 1 | 3, data };
}

/** (v·std + mean) / scale, clamped to 0–255 and rounded, for `count` values into every `stride`-th byte. */
function denormalisePlane(
  values: Float32Array | Float64Array,
  from: number,
  count: number,
  norm: { mean: number; std: number; scale: number },
  out: Uint8Array,
  offset: number,
  stride: number,
): void {
  const { mean, std, scale } = norm;
  for (let p = 0, s = from, o = offset; p < count; p++, s++, o += stride) {
    const v = (values[s]! * std + mean) / scale;
    // Math.round(v), clamped: V8 does not inline Math.round, and the call was most of this loop's time.
    // For v ≥ 0.5, truncating v + 0.5 gives exactly Math.round(v) (the sum only rounds where it crosses a
    // power of two, onto that same integer); below 0.5 (NaN included) the old clamp gave 0 as well.
    out[o] = v < 0.5 ? 0 : v >= 255 ? 255 : (v + 0.5) | 0;
  }
}

/** `planarFromTensor` then `planarToImage`: a batch-1 image output as 8-bit pixels. */
export function tensorToImage(tensor: Tensor, spec: PreprocessSpec): RawImage {
  const planar = planarFromTensor(tensor, spec.layout);
  return planarToImage(planar.data, planar, spec);
}

/**
 * An image output back to the source image's size: drop the fit/letterbox padding (scaled first when the
 * output is larger than the input, as an upscaler's is), then resize with the same bilinear resize the
 * input went through, so the output lines up with the source pixel for pixel.
 */
export function restoreToSource(
  output: RawImage,
  placement: Placement,
  size: readonly [number, number],
  width: number,
  height: number,
): RawImage {
  const sx = output.width / size[1];
  const sy = output.height / size[0];
  const x = Math.max(0, Math.round(placement.offsetX * sx));
  const y = Math.max(0, Math.round(placement.offsetY * sy));
  const w = Math.max(1, Math.min(output.width - x, Math.round(placement.scaledWidth * sx)));
  const h = Math.max(1, Math.min(output.height - y, Math.round(placement.scaledHeight * sy)));
  if (x === 0 && y === 0 && w === output.width && h === output.height && w === width && h === height) return output;
  const { channels } = output;
  const cropped = new Uint8Array(w * h * channels);
  for (let row = 0; row < h; row++) {
    const from = ((y + row) * output.width + x) * channels;
    cropped.set(output.data.subarray(from, from + w * channels), row * w * channels);
  }
  return resizeBilinear({ width: w, height: h, channels, data: cropped }, width, height);
}
