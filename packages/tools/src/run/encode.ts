import { renameSync, rmSync, writeFileSync } from 'node:fs';
import { OxvError, type RawImage } from '@oxidizedvision/runtime';
import sharp from 'sharp';
import { encodePng } from '@oxidizedvision/runtime/node';
import type { OutputFormat } from './types.js';

/**
 * Encodes into a temporary name, then renames: a run killed mid-write never leaves a truncated image under
 * the final name. JPEG/WebP at quality 95 through sharp (libvips, off the main thread), so encoding does
 * not undo what a restoration model just did. PNG through our own encoder (runtime/node/png.ts: faster and
 * smaller on photographs than libvips' level-6 deflate); `pngCompression` is its zlib level for images
 * with repeats, 0 to store.
 */
export async function encodeImage(
  image: RawImage,
  path: string,
  format: OutputFormat,
  pngCompression = 6,
): Promise<void> {
  const temp = `${path}.tmp-${process.pid}-${Math.random().toString(36).slice(2)}`;
  const raw = { width: image.width, height: image.height, channels: image.channels };
  try {
    if (format === 'png') {
      // A synchronous write: `run` is a batch tool whose main thread only feeds the pipeline, and the
      // page cache takes the write at once, without the three round trips to libuv's pool of writeFile.
      writeFileSync(temp, await encodePng(image, pngCompression));
      renameSync(temp, path);
      return;
    }
    // libvips would otherwise store a 1-band image as RGB; grey images and masks stay single-channel.
    const pipeline =
      image.channels === 1 ? sharp(image.data, { raw }).toColourspace('b-w') : sharp(image.data, { raw });
    const encoder =
      format === 'jpeg'
        ? pipeline.jpeg({ quality: 95 })
        : format === 'webp'
          ? pipeline.webp({ quality: 95 })
          : pipeline.tiff();
    await encoder.toFile(temp);
    renameSync(temp, path);
  } catch (err) {
    rmSync(temp, { force: true });
    throw new OxvError('ERR_OUTPUT_WRITE', `cannot write ${path}: ${(err as Error).message}`, { cause: err });
  }
}
