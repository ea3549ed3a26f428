import { Readable } from 'node:stream';
import { promisify } from 'node:util';
import { constants, createDeflate, createGzip, deflate, gzip } from 'node:zlib';
import type { FastifyInstance, FastifyReply } from 'fastify';

/** Below this, compressing costs more than the bytes it saves (and a small error body stays readable). */
export const COMPRESS_MIN_BYTES = 1024;

type ResponseEncoding = 'gzip' | 'deflate';

// Tensors compress little past the fastest level, and each level up costs the threadpool time per request.
const ZLIB_OPTIONS = { level: constants.Z_BEST_SPEED };
const compressors = { gzip: promisify(gzip), deflate: promisify(deflate) };

/**
 * The coding an Accept-Encoding header asks for, gzip before deflate, or null. Codings with `q=0` are
 * refused ones; `*` stands for gzip. Nothing is compressed for a client that did not ask.
 */
export function responseEncoding(header: string | string[] | undefined): ResponseEncoding | null {
  const value = Array.isArray(header) ? header.join(',') : (header ?? '');
  const accepted = new Map<string, number>();
  for (const part of value.split(',')) {
    const [name, ...params] = part.split(';').map((s) => s.trim().toLowerCase());
    if (!name) continue;
    const q = params.find((p) => p.startsWith('q='));
    accepted.set(name, q === undefined ? 1 : Number(q.slice(2)) || 0);
  }
  for (const coding of ['gzip', 'deflate'] as const) {
    if ((accepted.get(coding) ?? accepted.get('*') ?? 0) > 0) return coding;
  }
  return null;
}

function compressible(reply: FastifyReply): boolean {
  const type = String(reply.getHeader('content-type') ?? '');
  return (
    reply.statusCode < 300 &&
    reply.getHeader('content-encoding') === undefined &&
    (type.startsWith('application/json') || type.startsWith('application/octet-stream'))
  );
}

/**
 * Compresses infer responses (JSON, and the binary tensor extension's header + raw bytes) for clients that
 * send `Accept-Encoding: gzip` or `deflate`, as Triton does for tritonclient's
 * response_compression_algorithm. `Inference-Header-Content-Length` keeps counting the uncompressed JSON
 * header, as in Triton: the client inflates first, then splits. Compression runs on libuv's threadpool, so a
 * large response does not hold the event loop.
 */
export function compressInferResponses(app: FastifyInstance): void {
  app.addHook('onSend', async (request, reply, payload) => {
    if (!request.routeOptions.config.inference || !compressible(reply)) return payload;
    const encoding = responseEncoding(request.headers['accept-encoding']);
    reply.header('vary', 'accept-encoding');
    if (encoding === null) return payload;
    if (typeof payload === 'string' || Buffer.isBuffer(payload)) {
      if (Buffer.byteLength(payload) < COMPRESS_MIN_BYTES) return payload;
      const compressed = await compressors[encoding](payload, ZLIB_OPTIONS);
      reply.header('content-encoding', encoding).header('content-length', String(compressed.length));
      return compressed;
    }
    if (payload instanceof Readable) {
      const length = Number(reply.getHeader('content-length'));
      if (length < COMPRESS_MIN_BYTES) return payload;
      reply.header('content-encoding', encoding).removeHeader('content-length');
      const compressor = encoding === 'gzip' ? createGzip(ZLIB_OPTIONS) : createDeflate(ZLIB_OPTIONS);
      payload.on('error', (error) => compressor.destroy(error));
      return payload.pipe(compressor);
    }
    return payload;
  });
}
