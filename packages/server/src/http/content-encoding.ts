import { createGunzip, createInflate, type Gunzip, type Inflate } from 'node:zlib';
import { OxvError } from '@oxidizedvision/runtime';

/** The request codings the server inflates; `identity` (or none) means the body is as sent. */
export const REQUEST_ENCODINGS = ['gzip', 'deflate'] as const;
export type RequestEncoding = (typeof REQUEST_ENCODINGS)[number];

/**
 * The coding of a request body from its Content-Encoding header: null for none or `identity`. One coding
 * at most: clients compress once (tritonclient's request_compression_algorithm, browsers'
 * CompressionStream), and refusing stacks keeps one inflater, with one size bound, per request.
 */
export function requestEncoding(header: string | string[] | undefined): RequestEncoding | null {
  const value = Array.isArray(header) ? header.join(',') : (header ?? '');
  const codings = value
    .split(',')
    .map((s) => s.trim().toLowerCase())
    .filter((s) => s !== '' && s !== 'identity');
  if (codings.length === 0) return null;
  const coding = codings[0]!;
  if (codings.length === 1 && (REQUEST_ENCODINGS as readonly string[]).includes(coding)) {
    return coding as RequestEncoding;
  }
  throw new OxvError(
    'ERR_CONTENT_ENCODING',
    codings.length > 1
      ? `Content-Encoding "${value}" stacks ${codings.length} codings; the server decodes one (gzip, deflate or identity)`
      : `Content-Encoding "${coding}" is not supported; send gzip, deflate or identity`,
  );
}

/**
 * A streaming inflater for `encoding`. "deflate" is the zlib format (RFC 9110 §8.4.1.2, what Python's
 * zlib.compress and tritonclient send), not raw deflate.
 */
export function createDecoder(encoding: RequestEncoding): Gunzip | Inflate {
  return encoding === 'gzip' ? createGunzip() : createInflate();
}

/** 400 for compressed bytes that do not inflate (truncated, corrupt, or another coding than declared). */
export function corruptBody(encoding: RequestEncoding, error: Error): OxvError {
  const format = encoding === 'gzip' ? 'gzip' : 'zlib (deflate)';
  return new OxvError(
    'ERR_BAD_REQUEST',
    `request body is not valid ${format} data (Content-Encoding: ${encoding}): ${error.message}`,
    { cause: error },
  );
}
