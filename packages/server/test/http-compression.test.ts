import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { deflateSync, gunzipSync, gzipSync, inflateSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FIXTURES } from './http-support/fixtures.js';
import { startServer, type TestServer } from './http-support/server.js';

let server: TestServer;

beforeAll(async () => {
  server = await startServer([{ name: 'two', path: FIXTURES.twoInputs }], { listen: true });
});

afterAll(async () => {
  await server.close();
});

interface RawResponse {
  status: number;
  headers: IncomingHttpHeaders;
  /** The bytes as they came over the wire (never inflated: fetch would hide what the server sent). */
  body: Buffer;
}

/** POSTs `body` in 64 KiB writes (with Content-Length unless `chunked`) and reads the raw answer. */
function post(
  path: string,
  body: Buffer,
  headers: Record<string, string>,
  options: { chunked?: boolean; url?: string } = {},
): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const { port } = new URL(options.url ?? server.url);
    const req = httpRequest(
      {
        host: '127.0.0.1',
        port,
        method: 'POST',
        path,
        headers: options.chunked ? headers : { ...headers, 'content-length': String(body.length) },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks) }));
      },
    );
    // The server may answer (413) before it has read the whole body; what it then discards is not an error.
    req.on('error', (error: NodeJS.ErrnoException) => (error.code === 'EPIPE' ? undefined : reject(error)));
    for (let at = 0; at < body.length; at += 64 * 1024) req.write(body.subarray(at, at + 64 * 1024));
    req.end();
  });
}

const INFER = '/v2/models/two/infer';
const image = Float32Array.from({ length: 3 * 16 * 16 }, (_, i) => (i % 7) / 4);
const ids = BigInt64Array.from([5n, -1n]);
const jsonRequest = Buffer.from(
  JSON.stringify({
    inputs: [
      { name: 'image', shape: [1, 3, 16, 16], datatype: 'FP32', data: Array.from(image) },
      { name: 'ids', shape: [1, 2], datatype: 'INT64', data: [5, -1] },
    ],
  }),
);
const expectedScaled = Array.from(image, (v) => v * 2 + 1);

function binaryRequest(binaryOutput: boolean): { body: Buffer; headerLength: number } {
  const header = Buffer.from(
    JSON.stringify({
      inputs: [
        { name: 'image', shape: [1, 3, 16, 16], datatype: 'FP32', parameters: { binary_data_size: image.byteLength } },
        { name: 'ids', shape: [1, 2], datatype: 'INT64', parameters: { binary_data_size: ids.byteLength } },
      ],
      ...(binaryOutput ? { parameters: { binary_data_output: true } } : {}),
    }),
  );
  const raw = [image, ids].map((a) => Buffer.from(a.buffer, a.byteOffset, a.byteLength));
  return { body: Buffer.concat([header, ...raw]), headerLength: header.length };
}

const compress = { gzip: gzipSync, deflate: deflateSync } as const;
const inflate = { gzip: gunzipSync, deflate: inflateSync } as const;

function scaledOf(json: Buffer): number[] {
  const parsed = JSON.parse(json.toString()) as { outputs: { name: string; data: number[] }[] };
  return parsed.outputs.find((o) => o.name === 'scaled')!.data;
}

describe('compressed request bodies (Content-Encoding)', () => {
  it.each(['gzip', 'deflate'] as const)('inflates a %s JSON body before parsing it', async (encoding) => {
    const response = await post(INFER, compress[encoding](jsonRequest), {
      'content-type': 'application/json',
      'content-encoding': encoding,
    });
    expect(response.status, response.body.toString()).toBe(200);
    expect(scaledOf(response.body)).toEqual(expectedScaled);
  });

  it.each(['gzip', 'deflate'] as const)(
    'inflates a %s binary-extension body; Inference-Header-Content-Length counts the inflated bytes',
    async (encoding) => {
      const { body, headerLength } = binaryRequest(true);
      const response = await post(INFER, compress[encoding](body), {
        'content-type': 'application/octet-stream',
        'content-encoding': encoding,
        'inference-header-content-length': String(headerLength),
      });
      expect(response.status, response.body.toString()).toBe(200);
      const length = Number(response.headers['inference-header-content-length']);
      const out = Uint8Array.from(response.body.subarray(length));
      expect(Array.from(new Float32Array(out.buffer, 0, image.length))).toEqual(expectedScaled);
    },
  );

  it('takes identity (and no header) as uncompressed', async () => {
    const response = await post(INFER, jsonRequest, { 'content-encoding': 'identity' });
    expect(response.status).toBe(200);
    expect(scaledOf(response.body)).toEqual(expectedScaled);
  });

  it('answers 415 ERR_CONTENT_ENCODING naming a coding it does not decode', async () => {
    for (const [coding, message] of [
      ['br', /Content-Encoding "br" is not supported; send gzip, deflate or identity/],
      ['gzip, gzip', /stacks 2 codings/],
    ] as const) {
      const response = await post(INFER, jsonRequest, { 'content-encoding': coding });
      expect(response.status).toBe(415);
      expect(response.headers['x-error-code']).toBe('ERR_CONTENT_ENCODING');
      expect(JSON.parse(response.body.toString()).error).toMatch(message);
    }
  });

  it('answers 400 naming the encoding for bytes that do not inflate', async () => {
    const gzipped = gzipSync(jsonRequest);
    const cases = [
      ['gzip', jsonRequest, /not valid gzip data \(Content-Encoding: gzip\)/],
      ['gzip', gzipped.subarray(0, gzipped.length - 20), /not valid gzip data.*unexpected end of file/],
      ['deflate', gzipped, /not valid zlib \(deflate\) data \(Content-Encoding: deflate\)/],
    ] as const;
    for (const [encoding, body, message] of cases) {
      const response = await post(INFER, body, { 'content-encoding': encoding });
      expect(response.status).toBe(400);
      expect(response.headers['x-error-code']).toBe('ERR_BAD_REQUEST');
      const error = JSON.parse(response.body.toString()).error as string;
      expect(error).toMatch(message);
      expect(error.length).toBeLessThan(200);
    }
  });

  it('stops a zip bomb (1 GiB of zeros in 1 MB of gzip) at the body limit: 413, quickly, in bounded memory', async () => {
    // Concatenated gzip members inflate as one stream: 64 × 16 MiB of zeros, built without 1 GiB in memory.
    const member = gzipSync(Buffer.alloc(16 * 1024 * 1024), { level: 9 });
    const bomb = Buffer.concat(new Array<Buffer>(64).fill(member));
    expect(bomb.length).toBeLessThan(2 * 1024 * 1024);
    const before = process.memoryUsage().rss;
    let peak = before;
    const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 5);
    const started = performance.now();
    const response = await post(INFER, bomb, { 'content-encoding': 'gzip' });
    const elapsed = performance.now() - started;
    clearInterval(sampler);
    peak = Math.max(peak, process.memoryUsage().rss);
    expect(response.status).toBe(413);
    expect(response.headers['x-error-code']).toBe('ERR_BODY_TOO_LARGE');
    expect(JSON.parse(response.body.toString()).error).toMatch(/exceeds the server's 67108864-byte limit/);
    expect(elapsed).toBeLessThan(5000);
    // At most the 64 MiB limit inflated (and its chunks), never the gigabyte.
    expect(peak - before).toBeLessThan(400 * 1024 * 1024);
  });
});

describe('body limits', () => {
  let small: TestServer;
  beforeAll(async () => {
    small = await startServer([{ name: 'two', path: FIXTURES.twoInputs }], { listen: true, bodyLimit: 4096 });
  });
  afterAll(async () => {
    await small.close();
  });
  const postSmall = (body: Buffer, headers: Record<string, string>, chunked = false) =>
    post(INFER, body, headers, { chunked, url: small.url });

  it('answers 413 to a chunked body without Content-Length beyond the limit', async () => {
    const response = await postSmall(Buffer.alloc(10_000, 0x20), { 'content-type': 'application/json' }, true);
    expect(response.status).toBe(413);
    expect(response.headers['x-error-code']).toBe('ERR_BODY_TOO_LARGE');
    expect(JSON.parse(response.body.toString()).error).toMatch(/4096-byte limit/);
  });

  it('bounds a compressed body by its inflated size, and a declared Content-Length before reading it', async () => {
    const inflatesPast = gzipSync(Buffer.alloc(10_000, 0x20));
    expect(inflatesPast.length).toBeLessThan(4096);
    for (const chunked of [false, true]) {
      const response = await postSmall(inflatesPast, { 'content-encoding': 'gzip' }, chunked);
      expect(response.status).toBe(413);
    }
    const declared = await postSmall(Buffer.alloc(5000, 0x20), {});
    expect(declared.status).toBe(413);
  });
});

describe('compressed responses (Accept-Encoding)', () => {
  it.each(['gzip', 'deflate'] as const)(
    'compresses a JSON infer response for Accept-Encoding: %s',
    async (encoding) => {
      const response = await post(INFER, jsonRequest, { 'accept-encoding': encoding });
      expect(response.status).toBe(200);
      expect(response.headers['content-encoding']).toBe(encoding);
      expect(Number(response.headers['content-length'])).toBe(response.body.length);
      expect(scaledOf(inflate[encoding](response.body))).toEqual(expectedScaled);
    },
  );

  it.each(['gzip', 'deflate'] as const)(
    'compresses a binary response for %s, keeping Inference-Header-Content-Length uncompressed',
    async (encoding) => {
      const { body, headerLength } = binaryRequest(true);
      const headers = { 'inference-header-content-length': String(headerLength) };
      const plain = await post(INFER, body, headers);
      const response = await post(INFER, body, { ...headers, 'accept-encoding': `${encoding};q=0.9` });
      expect(response.status).toBe(200);
      expect(response.headers['content-encoding']).toBe(encoding);
      expect(response.headers['inference-header-content-length']).toBe(
        plain.headers['inference-header-content-length'],
      );
      expect(inflate[encoding](response.body)).toEqual(plain.body);
    },
  );

  it('compresses nothing unless asked, nor small answers, nor codings refused with q=0', async () => {
    const plain = await post(INFER, jsonRequest, {});
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(scaledOf(plain.body)).toEqual(expectedScaled);
    const refused = await post(INFER, jsonRequest, { 'accept-encoding': 'gzip;q=0, br' });
    expect(refused.headers['content-encoding']).toBeUndefined();
    const error = await post('/v2/models/nope/infer', jsonRequest, { 'accept-encoding': 'gzip' });
    expect(error.status).toBe(404);
    expect(error.headers['content-encoding']).toBeUndefined();
    expect(JSON.parse(error.body.toString()).error).toMatch(/nope/);
  });
});
