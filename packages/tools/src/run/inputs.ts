import { existsSync, statSync } from 'node:fs';
import { basename, extname, join, resolve } from 'node:path';
import { OxvError } from '@oxidizedvision/runtime';
import { globSync, isDynamicPattern } from 'tinyglobby';
import { IMAGE_EXTENSIONS, listImages } from '../images/decode.js';
import type { OutputFormat, RunTask } from './types.js';

const isImage = (file: string): boolean => IMAGE_EXTENSIONS.includes(extname(file).toLowerCase());

/**
 * Files, folders (their images, not recursive) and globs (quoted, so the shell leaves them to us: Windows
 * shells never expand them) → absolute paths, de-duplicated, in argument order. A file named explicitly is
 * kept whatever its extension, so an unsupported one is reported rather than silently dropped.
 */
export function expandInputs(inputs: readonly string[]): string[] {
  const files: string[] = [];
  for (const input of inputs) {
    if (existsSync(input)) {
      files.push(...(statSync(input).isDirectory() ? listImages(input) : [input]).map((f) => resolve(f)));
    } else if (isDynamicPattern(input)) {
      const matches = globSync(input, { absolute: true, onlyFiles: true }).filter(isImage).sort();
      if (matches.length === 0) throw new OxvError('ERR_FILE_NOT_FOUND', `no images match ${input}`);
      files.push(...matches);
    } else {
      throw new OxvError('ERR_FILE_NOT_FOUND', `input not found: ${input}`, { details: { file: input } });
    }
  }
  return [...new Set(files)];
}

const FORMAT_OF_EXTENSION: Record<string, OutputFormat> = {
  '.png': 'png',
  '.jpg': 'jpeg',
  '.jpeg': 'jpeg',
  '.webp': 'webp',
  '.tif': 'tiff',
  '.tiff': 'tiff',
};
const EXTENSION_OF_FORMAT: Record<OutputFormat, string> = { png: '.png', jpeg: '.jpg', webp: '.webp', tiff: '.tif' };

export interface PlannedOutput {
  path: string;
  format: OutputFormat;
  kind: 'image' | 'mask' | 'overlay' | 'detections';
}

/**
 * The files one input produces: the same name in `out`, its own extension unless a format is forced.
 * Detection draws its boxes into `<name>.detections.<ext>` only when there is an output folder.
 */
export function planOutputs(input: string, out: string, task: RunTask, format: OutputFormat | null): PlannedOutput[] {
  const ext = extname(input);
  const stem = basename(input, ext);
  const own = FORMAT_OF_EXTENSION[ext.toLowerCase()] ?? 'png';
  const chosen = format ?? own;
  const keepExt = format === null && FORMAT_OF_EXTENSION[ext.toLowerCase()] !== undefined;
  const named = (suffix: string, f: OutputFormat, keep: boolean): string =>
    join(out, `${stem}${suffix}${keep ? ext : EXTENSION_OF_FORMAT[f]}`);
  if (task === 'image-to-image') return [{ path: named('', chosen, keepExt), format: chosen, kind: 'image' }];
  if (task === 'segmentation') {
    return [
      { path: named('.mask', 'png', false), format: 'png', kind: 'mask' },
      { path: named('.overlay', chosen, keepExt), format: chosen, kind: 'overlay' },
    ];
  }
  if (task === 'detection' && out !== '') {
    return [{ path: named('.detections', chosen, keepExt), format: chosen, kind: 'detections' }];
  }
  return [];
}
