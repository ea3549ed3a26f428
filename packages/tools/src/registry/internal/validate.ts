import { resolve } from 'node:path';
import { assertModelName, assertVersionNumber } from '../model-ref.js';
import { FILE_KINDS, type NewVersion, type RegistryFile, type VersionFiles } from '../types.js';

const SHA256_PATTERN = /^[0-9a-f]{64}$/i;

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function checkFile(file: unknown, param: string): RegistryFile {
  if (!isPlainObject(file)) throw new TypeError(`${param} must be an object { path, sha256, bytes }`);
  const { path, sha256, bytes } = file;
  if (typeof path !== 'string' || path.length === 0) throw new TypeError(`${param}.path must be a non-empty string`);
  if (typeof sha256 !== 'string' || !SHA256_PATTERN.test(sha256)) {
    throw new TypeError(`${param}.sha256 must be 64 hex digits, got ${JSON.stringify(sha256)}`);
  }
  if (typeof bytes !== 'number' || !Number.isSafeInteger(bytes) || bytes < 0) {
    throw new RangeError(`${param}.bytes must be a whole number >= 0, got ${String(bytes)}`);
  }
  return { path: resolve(path), sha256: sha256.toLowerCase(), bytes };
}

/** A NewVersion after normaliseNewVersion: absolute paths, lower-case hashes, defaults filled in. */
export interface ValidNewVersion {
  name: string;
  source: string;
  files: VersionFiles;
  metadata: Record<string, unknown>;
  parentVersion: number | null;
  notes: string | null;
}

/** Checks a NewVersion once at the edge and returns it normalised. */
export function normaliseNewVersion(input: NewVersion): ValidNewVersion {
  if (!isPlainObject(input)) throw new TypeError('version must be an object');
  assertModelName(input.name);
  if (typeof input.source !== 'string' || input.source.trim() === '')
    throw new TypeError('version.source must be a non-empty string');
  if (!isPlainObject(input.files) || input.files.onnx === undefined)
    throw new TypeError('version.files.onnx is required');
  const files: VersionFiles = { onnx: checkFile(input.files.onnx, 'version.files.onnx') };
  for (const kind of FILE_KINDS) {
    const file = input.files[kind];
    if (kind !== 'onnx' && file !== undefined) files[kind] = checkFile(file, `version.files.${kind}`);
  }
  const metadata = input.metadata ?? {};
  if (!isPlainObject(metadata)) throw new TypeError('version.metadata must be a plain object');
  // Round-trip now so that what getVersion() returns later is exactly what was stored.
  const storedMetadata = JSON.parse(JSON.stringify(metadata)) as Record<string, unknown>;
  if (input.parentVersion !== undefined) assertVersionNumber(input.parentVersion, 'parentVersion');
  if (input.notes !== undefined && typeof input.notes !== 'string')
    throw new TypeError('version.notes must be a string');
  return {
    name: input.name,
    source: input.source,
    files,
    metadata: storedMetadata,
    parentVersion: input.parentVersion ?? null,
    notes: input.notes ?? null,
  };
}
