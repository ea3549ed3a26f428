import { OxvError } from '../errors.js';
import { isNodeRuntime } from '../internal/env.js';
import { firstLine } from '../internal/format.js';
import type { ModelSource } from '../runner.js';

interface NodeFs {
  readFile(path: string): Promise<Uint8Array>;
}

/**
 * Model bytes from a source: bytes pass through; a string is a file path under Node and a URL in the
 * browser. The web backend loads bytes itself (rather than handing ORT the string) so both environments
 * give the same ERR_FILE_NOT_FOUND / ERR_MODEL_LOAD errors.
 */
export async function loadModelBytes(source: ModelSource): Promise<Uint8Array> {
  if (source instanceof Uint8Array) return source;
  if (typeof source !== 'string') {
    throw new TypeError('source must be a file path, a URL or a Uint8Array of model bytes');
  }
  return isNodeRuntime() ? readFromFile(source) : fetchFromUrl(source);
}

async function readFromFile(path: string): Promise<Uint8Array> {
  // A computed specifier keeps bundlers from pulling node:fs into the browser build; this branch only
  // runs under Node.
  const specifier = 'node:fs/promises';
  const fs = (await import(/* @vite-ignore */ specifier)) as NodeFs;
  try {
    return await fs.readFile(path);
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (code === 'ENOENT') {
      throw new OxvError('ERR_FILE_NOT_FOUND', `model file not found: ${path}`, { details: { file: path } });
    }
    throw new OxvError('ERR_MODEL_LOAD', `could not read model "${path}": ${firstLine(error)}`, { cause: error });
  }
}

async function fetchFromUrl(url: string): Promise<Uint8Array> {
  let response: Response;
  try {
    response = await fetch(url);
  } catch (error) {
    throw new OxvError('ERR_MODEL_LOAD', `could not fetch model "${url}": ${firstLine(error)}`, { cause: error });
  }
  if (response.status === 404) {
    throw new OxvError('ERR_FILE_NOT_FOUND', `model not found: ${url} (HTTP 404)`, { details: { file: url } });
  }
  if (!response.ok) {
    throw new OxvError('ERR_MODEL_LOAD', `could not fetch model "${url}": HTTP ${response.status}`, {
      details: { file: url, status: response.status },
    });
  }
  return new Uint8Array(await response.arrayBuffer());
}
