import { renameSync, rmSync } from 'node:fs';
import { OxvError, type RawImage } from '@oxidizedvision/runtime';
import sharp from 'sharp';
import type { OutputFormat } from './types.js';

/**
 * Encodes through sharp (libvips, off the main thread) into a temporary name, then renames: a run killed
 * mid-write never leaves a truncated image under the final name. JPEG/WebP at quality 95, so encoding
 * does not undo what a restoration model just did; PNG at zlib level `pngCompression` (sharp's default 6
 * unless asked otherwise).
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
    // libvips would otherwise store a 1-band image as RGB; grey images and masks stay single-channel.
    const pipeline =
      image.channels === 1 ? sharp(image.data, { raw }).toColourspace('b-w') : sharp(image.data, { raw });
    const encoder =
      format === 'jpeg'
        ? pipeline.jpeg({ quality: 95 })
        : format === 'webp'
          ? pipeline.webp({ quality: 95 })
          : format === 'tiff'
            ? pipeline.tiff()
            : pipeline.png({ compressionLevel: pngCompression });
    await encoder.toFile(temp);
    renameSync(temp, path);
  } catch (err) {
    rmSync(temp, { force: true });
    throw new OxvError('ERR_OUTPUT_WRITE', `cannot write ${path}: ${(err as Error).message}`, { cause: err });
  }
}
