import { readdirSync, statSync } from 'node:fs';
import { extname, join } from 'node:path';
import sharp from 'sharp';
import { OxvError, type RawImage } from '@oxidizedvision/runtime';

export const IMAGE_EXTENSIONS = ['.png', '.jpg', '.jpeg', '.webp', '.tif', '.tiff'];

/**
 * Decodes to 8-bit interleaved RGB (or grey), with EXIF orientation applied: phone photos are stored
 * sideways with a rotation tag, and a model fed the raw pixels would see them rotated.
 */
export async function decodeImage(path: string, grey = false): Promise<RawImage> {
  try {
    let pipeline = sharp(path, { failOn: 'error' }).rotate().removeAlpha();
    pipeline = grey ? pipeline.greyscale() : pipeline.toColourspace('srgb');
    const { data, info } = await pipeline.raw().toBuffer({ resolveWithObject: true });
    return {
      width: info.width,
      height: info.height,
      channels: info.channels as 1 | 3,
      data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength),
    };
  } catch (err) {
    throw new OxvError('ERR_IMAGE_DECODE', `cannot decode image ${path}: ${(err as Error).message}`, { cause: err });
  }
}

/** Image files directly inside `dir`, sorted by name so runs are reproducible. */
export function listImages(dir: string): string[] {
  let entries: string[];
  try {
    if (!statSync(dir).isDirectory()) throw new Error('not a directory');
    entries = readdirSync(dir);
  } catch {
    throw new OxvError('ERR_FILE_NOT_FOUND', `image folder not found: ${dir}`);
  }
  const files = entries
    .filter((f) => IMAGE_EXTENSIONS.includes(extname(f).toLowerCase()))
    .sort()
    .map((f) => join(dir, f));
  if (files.length === 0) {
    throw new OxvError('ERR_FILE_NOT_FOUND', `no images (${IMAGE_EXTENSIONS.join(', ')}) in ${dir}`);
  }
  return files;
}
