import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTensor, type Runner } from '@oxidizedvision/runtime';
import { createNodeRunner } from '@oxidizedvision/runtime/node';
import { FIXTURES } from './http-support/fixtures.js';
import { startServer, type TestServer } from './http-support/server.js';

let server: TestServer;
let runner: Runner;

beforeAll(async () => {
  server = await startServer(
    [
      { name: 'two', path: FIXTURES.twoInputs },
      { name: 'conv', path: FIXTURES.tinyConv },
      { name: 'invert', path: FIXTURES.invert },
    ],
    { listen: true },
  );
  runner = await createNodeRunner(FIXTURES.twoInputs);
});

afterAll(async () => {
  await server.close();
  await runner.dispose();
});

/** A binary-extension body: the JSON header, then each buffer in order. */
function binaryRequest(header: object, parts: ArrayBufferView[]): { body: Buffer; headerLength: number } {
  const json = Buffer.from(JSON.stringify(header));
  const raw = parts.map((p) => Buffer.from(p.buffer, p.byteOffset, p.byteLength));
  return { body: Buffer.concat([json, ...raw]), headerLength: json.byteLength };
}

/** Splits a binary-extension response into its JSON header and the bytes after it. */
function splitResponse(body: Buffer, headerLength: number): { header: Record<string, unknown>; rest: Buffer } {
  return { header: JSON.parse(body.subarray(0, headerLength).toString()), rest: body.subarray(headerLength) };
}

/** POSTs a binary-extension request over real HTTP and splits a 200 answer into its JSON header and bytes. */
async function postBinary(
  model: string,
  header: object,
  parts: ArrayBufferView[],
): Promise<{ status: number; header: Record<string, unknown>; rest: Buffer }> {
  const { body, headerLength } = binaryRequest(header, parts);
  const response = await fetch(`${server.url}/v2/models/${model}/infer`, {
    method: 'POST',
    headers: { 'content-type': 'application/octet-stream', 'inference-header-content-length': String(headerLength) },
    body: new Uint8Array(body),
  });
  const bytes = Buffer.from(await response.arrayBuffer());
  if (response.status !== 200) return { status: response.status, header: {}, rest: bytes };
  return { status: 200, ...splitResponse(bytes, Number(response.headers.get('inference-header-content-length'))) };
}

const image = Float32Array.from({ length: 2 * 3 * 2 * 2 }, (_, i) => Math.cos(i) * 3);
const ids = BigInt64Array.from([1n, -2n, 3n, 40n]);
const header = (outputs?: object[], parameters?: object) => ({
  ...(parameters ? { parameters } : {}),
  inputs: [
    { name: 'image', shape: [2, 3, 2, 2], datatype: 'FP32', parameters: { binary_data_size: image.byteLength } },
    { name: 'ids', shape: [2, 2], datatype: 'INT64', parameters: { binary_data_size: ids.byteLength } },
  ],
  ...(outputs ? { outputs } : {}),
});

describe('binary tensor extension', () => {
  it('reads binary inputs and writes binary outputs equal to createNodeRunner (real HTTP)', async () => {
    const { body, headerLength } = binaryRequest(header(undefined, { binary_data_output: true }), [image, ids]);
    const response = await fetch(`${server.url}/v2/models/two/infer`, {
      method: 'POST',
      headers: { 'content-type': 'application/octet-stream', 'inference-header-content-length': String(headerLength) },
      body: new Uint8Array(body),
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/octet-stream');
    const length = Number(response.headers.get('inference-header-content-length'));
    const { header: json, rest } = splitResponse(Buffer.from(await response.arrayBuffer()), length);
    expect(json).toMatchObject({
      model_name: 'two',
      outputs: [
        { name: 'scaled', datatype: 'FP32', shape: [2, 3, 2, 2], parameters: { binary_data_size: 96 } },
        { name: 'ids_out', datatype: 'INT64', shape: [2, 2], parameters: { binary_data_size: 32 } },
      ],
    });
    const direct = await runner.run({
      image: createTensor('float32', [2, 3, 2, 2], image),
      ids: createTensor('int64', [2, 2], ids),
    });
    const copy = Uint8Array.from(rest);
    expect(new Float32Array(copy.buffer, 0, 24)).toEqual(direct.scaled!.data);
    expect(new BigInt64Array(copy.buffer, 96, 4)).toEqual(direct.ids_out!.data);
  });

  it('reads binary inputs in place at any header length, including one byte short of alignment', async () => {
    const direct = await runner.run({
      image: createTensor('float32', [2, 3, 2, 2], image),
      ids: createTensor('int64', [2, 2], ids),
    });
    // The body reader pads so the binary part starts 8-aligned; an "id" of 0–7 extra characters moves the
    // header length through every remainder mod 8, and with it where the FP32 and INT64 bytes fall.
    for (let extra = 0; extra < 8; extra++) {
      const withId = { ...header(undefined, { binary_data_output: true }), id: 'x'.repeat(extra) };
      const { status, header: json, rest } = await postBinary('two', withId, [image, ids]);
      expect(status).toBe(200);
      expect(json.id).toBe('x'.repeat(extra));
      const copy = Uint8Array.from(rest);
      expect(new Float32Array(copy.buffer, 0, 24)).toEqual(direct.scaled!.data);
      expect(new BigInt64Array(copy.buffer, 96, 4)).toEqual(direct.ids_out!.data);
    }
  });

  it('mixes binary and JSON outputs as each output asks', async () => {
    const { body, headerLength } = binaryRequest(
      header([
        { name: 'ids_out', parameters: { binary_data: false } },
        { name: 'scaled', parameters: { binary_data: true } },
      ]),
      [image, ids],
    );
    const response = await server.app.inject({
      method: 'POST',
      url: '/v2/models/two/infer',
      headers: { 'inference-header-content-length': String(headerLength) },
      payload: body,
    });
    expect(response.statusCode).toBe(200);
    const { header: json, rest } = splitResponse(
      response.rawPayload,
      Number(response.headers['inference-header-content-length']),
    );
    expect(json.outputs).toEqual([
      { name: 'ids_out', datatype: 'INT64', shape: [2, 2], data: [4, -5, 10, 121] },
      { name: 'scaled', datatype: 'FP32', shape: [2, 3, 2, 2], parameters: { binary_data_size: 96 } },
    ]);
    expect(rest.byteLength).toBe(96);
  });

  it('answers plain JSON when binary inputs ask for no binary output', async () => {
    const { body, headerLength } = binaryRequest(header(), [image, ids]);
    const response = await server.app.inject({
      method: 'POST',
      url: '/v2/models/two/infer',
      headers: { 'inference-header-content-length': String(headerLength), 'content-type': 'application/octet-stream' },
      payload: body,
    });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toMatch(/application\/json/);
    expect(response.json().outputs[1].data).toEqual([4, -5, 10, 121]);
  });

  it('takes a raw binary body (Inference-Header-Content-Length: 0) as batch 1 and answers binary', async () => {
    const x = Float32Array.from({ length: 3 * 8 * 8 }, (_, i) => (i % 7) - 3);
    const response = await server.app.inject({
      method: 'POST',
      url: '/v2/models/conv/infer',
      headers: { 'inference-header-content-length': '0', 'content-type': 'application/octet-stream' },
      payload: Buffer.from(x.buffer),
    });
    expect(response.statusCode).toBe(200);
    const { header: json, rest } = splitResponse(
      response.rawPayload,
      Number(response.headers['inference-header-content-length']),
    );
    expect(json.outputs).toEqual([
      { name: 'y', datatype: 'FP32', shape: [1, 4, 8, 8], parameters: { binary_data_size: 1024 } },
    ]);
    const conv = await createNodeRunner(FIXTURES.tinyConv);
    const direct = await conv.run({ x: createTensor('float32', [1, 3, 8, 8], x) });
    await conv.dispose();
    expect(new Float32Array(Uint8Array.from(rest).buffer)).toEqual(direct.y!.data);
  });

  it('answers large tensors (shared-memory path) exactly, with concurrent requests kept apart (real HTTP)', async () => {
    // 2×3×96×96 FP32 = 221 KB each way: above SHARED_MIN_BYTES, so the body and the worker's output both
    // travel in SharedArrayBuffers; eight at once also exercise batching (joined and split per request).
    const shape = [2, 3, 96, 96];
    const count = shape.reduce((a, b) => a * b, 1);
    const send = async (seed: number) => {
      const x = Float32Array.from({ length: count }, (_, i) => Math.sin(i * 0.37 + seed));
      const { status, rest } = await postBinary(
        'invert',
        {
          inputs: [{ name: 'x', shape, datatype: 'FP32', parameters: { binary_data_size: x.byteLength } }],
          outputs: [{ name: 'y', parameters: { binary_data: true } }],
        },
        [x],
      );
      expect(status).toBe(200);
      const y = new Float32Array(Uint8Array.from(rest).buffer);
      expect(y.length).toBe(count);
      const expected = Float32Array.from(x, (v) => Math.fround(1 - v));
      expect(y).toEqual(expected);
    };
    await Promise.all(Array.from({ length: 8 }, (_, seed) => send(seed)));
  });
});
