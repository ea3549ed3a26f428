import type { RawImage } from './types.js';

/**
 * Bilinear resampling with half-pixel centres (PyTorch's align_corners=False, OpenCV's INTER_LINEAR).
 * Implemented here rather than delegated to sharp or a canvas so that Node and the browser compute
 * the same input tensor bit for bit. Downscaling by more than 2× first averages pixel blocks (area
 * filter) so small model inputs do not alias.
 */
export function resizeBilinear(image: RawImage, width: number, height: number): RawImage {
  if (!(width >= 1 && height >= 1 && Number.isInteger(width) && Number.isInteger(height))) {
    throw new RangeError(`resize target must be positive integers, got ${width}x${height}`);
  }
  let source = image;
  const factor = Math.min(Math.floor(image.width / width), Math.floor(image.height / height));
  if (factor >= 2) source = boxDownscale(image, factor);
  if (source.width === width && source.height === height) return source;
  const { channels } = source;
  const out = new Uint8Array(width * height * channels);
  const sx = source.width / width;
  const sy = source.height / height;
  for (let y = 0; y < height; y++) {
    const fy = Math.min(Math.max((y + 0.5) * sy - 0.5, 0), source.height - 1);
    const y0 = Math.floor(fy);
    const y1 = Math.min(y0 + 1, source.height - 1);
    const wy = fy - y0;
    for (let x = 0; x < width; x++) {
      const fx = Math.min(Math.max((x + 0.5) * sx - 0.5, 0), source.width - 1);
      const x0 = Math.floor(fx);
      const x1 = Math.min(x0 + 1, source.width - 1);
      const wx = fx - x0;
      for (let c = 0; c < channels; c++) {
        const p00 = source.data[(y0 * source.width + x0) * channels + c]!;
        const p01 = source.data[(y0 * source.width + x1) * channels + c]!;
        const p10 = source.data[(y1 * source.width + x0) * channels + c]!;
        const p11 = source.data[(y1 * source.width + x1) * channels + c]!;
        const top = p00 + (p01 - p00) * wx;
        const bottom = p10 + (p11 - p10) * wx;
        out[(y * width + x) * channels + c] = Math.round(top + (bottom - top) * wy);
      }
    }
  }
  return { width, height, channels, data: out };
}

function boxDownscale(image: RawImage, factor: number): RawImage {
  const width = Math.floor(image.width / factor);
  const height = Math.floor(image.height / factor);
  const { channels } = image;
  const out = new Uint8Array(width * height * channels);
  const area = factor * factor;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      for (let c = 0; c < channels; c++) {
        let sum = 0;
        for (let dy = 0; dy < factor; dy++) {
          const row = (y * factor + dy) * image.width;
          for (let dx = 0; dx < factor; dx++) sum += image.data[(row + x * factor + dx) * channels + c]!;
        }
        out[(y * width + x) * channels + c] = Math.round(sum / area);
      }
    }
  }
  return { width, height, channels, data: out };
}
