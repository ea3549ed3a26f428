import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Readable } from 'node:stream';
import type { InjectOptions } from 'fastify';
import { FIXTURES } from './http-support/fixtures.js';
import { metricSum } from './http-support/metrics-text.js';
import { startServer, type TestServer } from './http-support/server.js';

let server: TestServer;

beforeAll(async () => {
  server = await startServer(
    [
      { name: 'two', path: FIXTURES.twoInputs },
      { name: 'conv', path: FIXTURES.tinyConv, maxBatchSize: 2 },
    ],
    { bodyLimit: 64 * 1024 },
  );
});
afterAll(() => server.close());

const image = { name: 'image', shape: [1, 3, 2, 2], datatype: 'FP32', data: Array.from({ length: 12 }, (_, i) => i) };
const ids = { name: 'ids', shape: [1, 2], datatype: 'INT64', data: [1, 2] };
const json = (payload: unknown, url = '/v2/models/two/infer'): InjectOptions => ({
  method: 'POST',
  url,
  payload: typeof payload === 'string' ? payload : JSON.stringify(payload),
  headers: { 'content-type': 'application/json' },
});
const binary = (headerLength: string, payload: Buffer): InjectOptions => ({
  method: 'POST',
  url: '/v2/models/two/infer',
  payload,
  headers: { 'content-type': 'application/octet-stream', 'inference-header-content-length': headerLength },
});
const binaryHeader = Buffer.from(
  JSON.stringify({ inputs: [{ ...image, data: undefined, parameters: { binary_data_size: 48 } }, ids] }),
);
const shortHeader = Buffer.from(
  JSON.stringify({ inputs: [{ ...image, data: undefined, parameters: { binary_data_size: 44 } }, ids] }),
);

interface Case {
  name: string;
  request: InjectOptions;
  status: number;
  code: string;
  error: RegExp;
  model?: string;
}

const CASES: Case[] = [
  {
    name: 'malformed JSON',
    request: json('{"inputs": [{"name": '),
    status: 400,
    code: 'ERR_BAD_REQUEST',
    error: /not valid JSON/,
  },
  { name: 'an empty body', request: json(''), status: 400, code: 'ERR_BAD_REQUEST', error: /empty/ },
  { name: 'a JSON array body', request: json('[1, 2]'), status: 400, code: 'ERR_BAD_REQUEST', error: /JSON object/ },
  {
    name: 'no inputs',
    request: json({ inputs: [] }),
    status: 400,
    code: 'ERR_BAD_REQUEST',
    error: /inputs must be a non-empty array/,
  },
  {
    name: 'an unknown input name',
    request: json({ inputs: [{ ...image, name: 'imag' }, ids] }),
    status: 400,
    code: 'ERR_INPUT_NAME',
    error: /no input "imag".*image, ids/,
  },
  {
    name: 'a missing input',
    request: json({ inputs: [image] }),
    status: 400,
    code: 'ERR_INPUT_NAME',
    error: /needs input\(s\) ids/,
  },
  {
    name: 'a wrong datatype',
    request: json({ inputs: [{ ...image, datatype: 'FP64' }, ids] }),
    status: 400,
    code: 'ERR_INPUT_DTYPE',
    error: /"image" has datatype FP32, got FP64/,
  },
  {
    name: 'an unknown datatype',
    request: json({ inputs: [{ ...image, datatype: 'FLOAT' }, ids] }),
    status: 400,
    code: 'ERR_INPUT_DTYPE',
    error: /got FLOAT/,
  },
  {
    name: 'a wrong element count',
    request: json({ inputs: [{ ...image, data: image.data.slice(1) }, ids] }),
    status: 400,
    code: 'ERR_INPUT_SHAPE',
    error: /needs 12 elements but data has 11/,
  },
  {
    name: 'a negative dim',
    request: json({ inputs: [{ ...image, shape: [1, -3, 2, 2] }, ids] }),
    status: 400,
    code: 'ERR_BAD_REQUEST',
    error: /shape must be an array of non-negative integers/,
  },
  {
    name: 'a shape the model rejects',
    request: json({ inputs: [image, { ...ids, shape: [1, 3], data: [1, 2, 3] }] }),
    status: 400,
    code: 'ERR_INPUT_SHAPE',
    error: /ids/,
  },
  {
    name: 'a non-integer INT64 value',
    request: json({ inputs: [image, { ...ids, data: [1.5, 2] }] }),
    status: 400,
    code: 'ERR_INPUT_DTYPE',
    error: /not a valid int64 value: 1\.5/,
  },
  {
    name: 'a string where numbers belong',
    request: json({ inputs: [{ ...image, data: ['a', ...image.data.slice(1)] }, ids] }),
    status: 400,
    code: 'ERR_INPUT_DTYPE',
    error: /data\[0\]/,
  },
  {
    name: 'an unknown output',
    request: json({ inputs: [image, ids], outputs: [{ name: 'nope' }] }),
    status: 400,
    code: 'ERR_BAD_REQUEST',
    error: /no output "nope".*scaled, ids_out/,
  },
  {
    name: 'a batch above max_batch_size',
    request: json(
      { inputs: [{ name: 'x', shape: [3, 3, 8, 8], datatype: 'FP32', data: new Array(576).fill(0) }] },
      '/v2/models/conv/infer',
    ),
    status: 400,
    code: 'ERR_BATCH_TOO_LARGE',
    error: /3/,
    model: 'conv',
  },
  {
    name: 'a truncated binary payload',
    request: binary(String(binaryHeader.byteLength), Buffer.concat([binaryHeader, Buffer.alloc(20)])),
    status: 400,
    code: 'ERR_BAD_REQUEST',
    error: /binary_data_size is 48 but only 20 bytes.*truncated/,
  },
  {
    name: 'a header length beyond the body',
    request: binary('100000', Buffer.concat([binaryHeader, Buffer.alloc(48)])),
    status: 400,
    code: 'ERR_BAD_REQUEST',
    error: /Inference-Header-Content-Length is 100000 but the body has only \d+ bytes/,
  },
  {
    name: 'a non-numeric header length',
    request: binary('abc', binaryHeader),
    status: 400,
    code: 'ERR_BAD_REQUEST',
    error: /non-negative integer/,
  },
  {
    name: 'bytes left after the binary inputs',
    request: binary(String(binaryHeader.byteLength), Buffer.concat([binaryHeader, Buffer.alloc(52)])),
    status: 400,
    code: 'ERR_BAD_REQUEST',
    error: /4 bytes of binary data follow/,
  },
  {
    name: 'a binary size that does not fit the shape',
    request: binary(String(shortHeader.byteLength), Buffer.concat([shortHeader, Buffer.alloc(44)])),
    status: 400,
    code: 'ERR_INPUT_SHAPE',
    error: /needs 48 bytes but binary_data_size is 44/,
  },
  {
    name: 'an oversized body',
    request: json({ inputs: [{ ...image, data: new Array(20000).fill(1.2345) }] }),
    status: 413,
    code: 'ERR_BODY_TOO_LARGE',
    error: /65536-byte limit/,
  },
  {
    name: 'an oversized body sent without Content-Length (stopped while it streams in)',
    request: {
      ...binary('0', Buffer.alloc(0)),
      payload: Readable.from([Buffer.alloc(40 * 1024), Buffer.alloc(40 * 1024)], { objectMode: false }),
    },
    status: 413,
    code: 'ERR_BODY_TOO_LARGE',
    error: /65536-byte limit/,
  },
  {
    name: 'an unknown model',
    request: json({ inputs: [image] }, '/v2/models/nope/infer'),
    status: 404,
    code: 'ERR_MODEL_NOT_FOUND',
    error: /nope/,
    model: '_unknown',
  },
  {
    name: 'an unknown version',
    request: json({ inputs: [image, ids] }, '/v2/models/two/versions/7/infer'),
    status: 404,
    code: 'ERR_MODEL_NOT_FOUND',
    error: /no version "7"/,
  },
];

describe('bad requests', () => {
  it.each(CASES.map((c) => [c.name, c] as const))(
    'answers %s with a clear 4xx, counts it, and keeps serving',
    async (_name, c) => {
      const before = (await server.app.inject({ url: '/metrics' })).body;
      const response = await server.app.inject(c.request);
      expect(response.statusCode, response.body).toBe(c.status);
      expect(response.headers['x-error-code']).toBe(c.code);
      const body = response.json() as { error: string };
      expect(Object.keys(body)).toEqual(['error']);
      expect(body.error).toMatch(c.error);
      expect(body.error).not.toMatch(/\n\s+at /);

      const after = (await server.app.inject({ url: '/metrics' })).body;
      const labels = { model: c.model ?? 'two', reason: c.code };
      expect(metricSum(after, 'oxv_inference_request_failure_total', labels)).toBe(
        metricSum(before, 'oxv_inference_request_failure_total', labels) + 1,
      );

      const ok = await server.app.inject(json({ inputs: [image, ids], outputs: [{ name: 'ids_out' }] }));
      expect(ok.statusCode).toBe(200);
      expect(ok.json().outputs[0].data).toEqual([4, 7]);
    },
  );

  it('answers an unknown route with 404 in the same error shape', async () => {
    const response = await server.app.inject({ url: '/v3/nothing' });
    expect(response.statusCode).toBe(404);
    expect(response.json()).toEqual({ error: 'no route GET /v3/nothing' });
  });
});
