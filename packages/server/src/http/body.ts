import { errorCodes, type FastifyInstance, type FastifyRequest } from 'fastify';
import type { IncomingMessage } from 'node:http';
import { OxvError } from '@oxidizedvision/runtime';
import { allocateRequestStorage } from '../buffers.js';
import { corruptBody, createDecoder, requestEncoding, type RequestEncoding } from './content-encoding.js';
import { HEADER_LENGTH } from '../protocol/binary.js';
import { parseJson } from '../protocol/json/parse-json.js';

/**
 * Every body arrives as a Buffer, whatever its Content-Type: the same infer route takes JSON, the binary
 * tensor extension (JSON header + raw bytes) or, for images, PNG/JPEG/WebP/multipart, and `curl -d` sends
 * JSON as application/x-www-form-urlencoded. Each route parses what it expects and fails with one clear
 * ERR_BAD_REQUEST, instead of fastify's per-type parsers answering 415 in their own words.
 */
export function acceptRawBodies(app: FastifyInstance, bodyLimit: number): void {
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { bodyLimit }, (request, payload, done) => readBody(request, payload, bodyLimit, done));
}

/**
 * Reads a body the way fastify's own `parseAs: 'buffer'` does (413 beyond the limit, 400 when the length
 * disagrees with Content-Length, one copy of the chunks at the end), except where the copy goes: into
 * storage of its own (shared memory when large), placed so that the bytes after Triton's
 * `Inference-Header-Content-Length` start 8-byte aligned. The binary tensors of a request can then be
 * used in place, as typed-array views, and handed to the inference worker without being copied out
 * first (see buffers.ts).
 *
 * A gzip or deflate body is inflated as it arrives, before any parsing: the limit bounds the bytes on
 * the wire and, separately, the inflated bytes, so a small zip bomb stops at `limit` inflated bytes with
 * 413. As in Triton, `Inference-Header-Content-Length` counts the inflated body.
 */
function readBody(
  request: FastifyRequest,
  payload: IncomingMessage,
  limit: number,
  done: (error: Error | null, body?: Buffer) => void,
): void {
  const declared = Number(request.headers['content-length']);
  if (declared > limit) {
    done(new errorCodes.FST_ERR_CTP_BODY_TOO_LARGE());
    return;
  }
  let encoding: RequestEncoding | null;
  try {
    encoding = requestEncoding(request.headers['content-encoding']);
  } catch (error) {
    done(error as Error);
    return;
  }
  const decoder = encoding === null ? null : createDecoder(encoding);
  const chunks: Buffer[] = [];
  let received = 0;
  let stored = 0;
  let finished = false;
  const finish = (error: Error | null, body?: Buffer): void => {
    if (finished) return;
    finished = true;
    payload.removeListener('data', onData);
    payload.removeListener('end', onEnd);
    payload.removeListener('error', onEnd);
    if (decoder !== null && error !== null) decoder.destroy();
    chunks.length = 0;
    done(error, body);
  };
  function store(bytes: Buffer): void {
    stored += bytes.length;
    if (stored > limit) finish(new errorCodes.FST_ERR_CTP_BODY_TOO_LARGE());
    else chunks.push(bytes);
  }
  function assemble(): void {
    const headerLength = Number(request.headers[HEADER_LENGTH]);
    const pad = Number.isSafeInteger(headerLength) && headerLength > 0 ? (8 - (headerLength % 8)) % 8 : 0;
    const storage = allocateRequestStorage(pad + stored);
    const body = Buffer.from(storage, pad, stored);
    let offset = 0;
    for (const chunk of chunks) {
      body.set(chunk, offset);
      offset += chunk.length;
    }
    finish(null, body);
  }
  function onData(chunk: Buffer | string): void {
    const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    received += bytes.length;
    if (received > limit) finish(new errorCodes.FST_ERR_CTP_BODY_TOO_LARGE());
    else if (decoder === null) store(bytes);
    else decoder.write(bytes);
  }
  function onEnd(error?: Error & { statusCode?: number }): void {
    if (error != null) {
      if (!(typeof error.statusCode === 'number' && error.statusCode >= 400)) error.statusCode = 400;
      finish(error);
      return;
    }
    if (!Number.isNaN(declared) && received !== declared) {
      finish(new errorCodes.FST_ERR_CTP_INVALID_CONTENT_LENGTH());
      return;
    }
    if (decoder === null) assemble();
    else decoder.end();
  }
  if (decoder !== null && encoding !== null) {
    decoder.on('data', store);
    decoder.on('error', (error: Error) => finish(corruptBody(encoding, error)));
    decoder.on('end', () => {
      if (!finished) assemble();
    });
  }
  payload.on('data', onData);
  payload.on('end', onEnd);
  payload.on('error', onEnd);
  payload.resume();
}

/** The request body as bytes (empty when there was none). */
export function bodyBytes(request: FastifyRequest): Buffer {
  return Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
}

/** A JSON object body (an empty body is `{}` when `optional`). */
export function parseJsonObject(request: FastifyRequest, what: string, optional = false): Record<string, unknown> {
  const bytes = bodyBytes(request);
  if (optional && bytes.byteLength === 0) return {};
  const value = parseJson(bytes, what);
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new OxvError('ERR_BAD_REQUEST', `${what} must be a JSON object`);
  }
  return value as Record<string, unknown>;
}
