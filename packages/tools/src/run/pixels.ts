import type { RawImage } from '@oxidizedvision/runtime';
import type { Tile } from './tiling.js';

/** Copies a rectangle out of an interleaved image. */
export function cropImage(image: RawImage, r: Tile): RawImage {
  const { channels } = image;
  const data = new Uint8Array(r.width * r.height * channels);
  const rowBytes = r.width * channels;
  for (let y = 0; y < r.height; y++) {
    const from = ((r.y + y) * image.width + r.x) * channels;
    data.set(image.data.subarray(from, from + rowBytes), y * rowBytes);
  }
  return { width: r.width, height: r.height, channels, data };
}

/** Pads right and bottom by repeating the last row/column (a fixed-size model fed a smaller image). */
export function padEdge(image: RawImage, width: number, height: number): RawImage {
  if (image.width === width && image.height === height) return image;
  const { channels } = image;
  const data = new Uint8Array(width * height * channels);
  for (let y = 0; y < height; y++) {
    const sy = Math.min(y, image.height - 1);
    for (let x = 0; x < width; x++) {
      const sx = Math.min(x, image.width - 1);
      for (let c = 0; c < channels; c++)
        data[(y * width + x) * channels + c] = image.data[(sy * image.width + sx) * channels + c]!;
    }
  }
  return { width, height, channels, data };
}
