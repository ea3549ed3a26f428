import { realpathSync } from 'node:fs';
import { resolve } from 'node:path';
import { digestFile } from '../internal/files.js';
import type { ModelVersion, Registry } from './types.js';

const canonical = (path: string): string => {
  try {
    return realpathSync(path);
  } catch {
    return resolve(path);
  }
};

/**
 * The registered version whose ONNX file is `path` with its current bytes, newest first; null when no
 * version points at it, or the file changed since (a re-convert registers a new version of the same path,
 * and only the version whose sha256 matches describes what is there now). `serve --model path.onnx` reports
 * this version instead of a made-up "1".
 */
export async function findVersionOfFile(registry: Registry, path: string): Promise<ModelVersion | null> {
  const target = canonical(path);
  const candidates = registry
    .list()
    .flatMap((model) => registry.get(model.name).versions)
    .filter((v) => canonical(v.files.onnx.path) === target)
    .sort((a, b) => b.createdAt.localeCompare(a.createdAt) || b.version - a.version);
  if (candidates.length === 0) return null;
  const { sha256 } = await digestFile(path);
  return candidates.find((v) => v.files.onnx.sha256 === sha256) ?? null;
}
