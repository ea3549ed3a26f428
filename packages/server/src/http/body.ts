import type { FastifyInstance, FastifyRequest } from 'fastify';
import { OxvError } from '@oxidizedvision/runtime';

/**
 * Every body arrives as a Buffer, whatever its Content-Type: the same infer route takes JSON, the binary
 * tensor extension (JSON header + raw bytes) or, for images, PNG/JPEG/WebP/multipart, and `curl -d` sends
 * JSON as application/x-www-form-urlencoded. Each route parses what it expects and fails with one clear
 * ERR_BAD_REQUEST, instead of fastify's per-type parsers answering 415 in their own words.
 */
export function acceptRawBodies(app: FastifyInstance, bodyLimit: number): void {
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit }, (_request, body, done) => done(null, body));
}

/** The request body as bytes (empty when there was none). */
export function bodyBytes(request: FastifyRequest): Buffer {
  return Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
}

/** Parses JSON text, naming what was being parsed when it is malformed. */
export function parseJson(bytes: Uint8Array, what: string): unknown {
  if (bytes.byteLength === 0) throw new OxvError('ERR_BAD_REQUEST', `${what} is empty; expected a JSON object`);
  try {
    return JSON.parse(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8'));
  } catch (error) {
    throw new OxvError('ERR_BAD_REQUEST', `${what} is not valid JSON: ${(error as Error).message}`, { cause: error });
  }
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
