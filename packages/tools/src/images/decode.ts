import { readdirSync, statSync } from 'node:fs';
import { extname, join } from 'node:path';
import { OxvError } from '@oxidizedvision/runtime';

export const IMAGE_EXTENSIONS = ['.png', '.jpg', '.jpeg', '.webp', '.tif', '.tiff'];

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
