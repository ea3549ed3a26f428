import { status, type ClientDuplexStream } from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FIXTURES } from './http-support/fixtures.js';
import { rawBytes, startGrpcTestServer, type GrpcTestServer } from './grpc-support/client.js';

let server: GrpcTestServer;

beforeAll(async () => {
  server = await startGrpcTestServer([
    { name: 'conv', path: FIXTURES.tinyConv },
    { name: 'two', path: FIXTURES.twoInputs },
    { name: 'dtypes', path: FIXTURES.dtypes },
  ]);
});

afterAll(async () => {
  await server?.close();
});

interface Output {
  name: string;
  datatype: string;
  shape: string[];
  contents: Record<string, unknown[]> | null;
}
interface InferResponse {
  model_name: string;
  model_version: string;
  id: string;
  outputs: Output[];
  raw_output_contents: Buffer[];
}

const image = Array.from({ length: 2 * 3 * 2 * 2 }, (_, i) => i / 4 - 1);
const httpInfer = async (model: string, body: object) =>
  (await server.app.inject({ method: 'POST', url: `/v2/models/${model}/infer`, payload: body })).json() as {
    outputs: { name: string; data: number[] }[];
  };

describe('gRPC ModelInfer', () => {
  it('answers typed contents with typed contents, exactly as HTTP answers the same JSON', async () => {
    const response = await server.call<InferResponse>('ModelInfer', {
      model_name: 'two',
      id: 'req-7',
      inputs: [
        { name: 'image', datatype: 'FP32', shape: [2, 3, 2, 2], contents: { fp32_contents: image } },
        { name: 'ids', datatype: 'INT64', shape: [2, 2], contents: { int64_contents: [1, 2, 3, -4] } },
      ],
    });
    const http = await httpInfer('two', {
      inputs: [
        { name: 'image', shape: [2, 3, 2, 2], datatype: 'FP32', data: image },
        { name: 'ids', shape: [2, 2], datatype: 'INT64', data: [1, 2, 3, -4] },
      ],
    });
    expect(response).toMatchObject({ model_name: 'two', model_version: '1', id: 'req-7', raw_output_contents: [] });
    expect(response.outputs.map((o) => [o.name, o.datatype, o.shape])).toEqual([
      ['scaled', 'FP32', ['2', '3', '2', '2']],
      ['ids_out', 'INT64', ['2', '2']],
    ]);
    expect(response.outputs[0]!.contents!.fp32_contents).toEqual(http.outputs[0]!.data);
    expect(response.outputs[1]!.contents!.int64_contents).toEqual(['4', '7', '10', '-11']);
  });

  it('answers raw_input_contents with little-endian raw_output_contents, matching HTTP', async () => {
    const x = Float32Array.from({ length: 3 * 8 * 8 }, (_, i) => Math.sin(i));
    const response = await server.call<InferResponse>('ModelInfer', {
      model_name: 'conv',
      model_version: '1',
      inputs: [{ name: 'x', datatype: 'FP32', shape: [1, 3, 8, 8] }],
      raw_input_contents: [rawBytes(x)],
    });
    const http = await httpInfer('conv', {
      inputs: [{ name: 'x', shape: [1, 3, 8, 8], datatype: 'FP32', data: [...x] }],
    });
    expect(response.outputs).toEqual([
      { name: 'y', datatype: 'FP32', shape: ['1', '4', '8', '8'], parameters: {}, contents: null },
    ]);
    const raw = response.raw_output_contents[0]!;
    const y = new Float32Array(raw.buffer.slice(raw.byteOffset, raw.byteOffset + raw.byteLength));
    expect(y).toEqual(Float32Array.from(http.outputs[0]!.data));
  });

  it('returns only the requested outputs, in the requested order', async () => {
    const response = await server.call<InferResponse>('ModelInfer', {
      model_name: 'two',
      inputs: [
        { name: 'ids', datatype: 'INT64', shape: [1, 2], contents: { int64_contents: [5, 6] } },
        { name: 'image', datatype: 'FP32', shape: [1, 3, 2, 2], contents: { fp32_contents: image.slice(0, 12) } },
      ],
      outputs: [{ name: 'ids_out' }],
    });
    expect(response.outputs.map((o) => [o.name, o.contents!.int64_contents])).toEqual([['ids_out', ['16', '19']]]);
  });

  it('carries FP64, INT32, INT8, UINT8 and BOOL in their typed fields, and FP16 raw', async () => {
    const inputs = [
      { name: 'f64', datatype: 'FP64', shape: [1, 3], contents: { fp64_contents: [0.1, 1e-300, -2] } },
      { name: 'i32', datatype: 'INT32', shape: [1, 3], contents: { int_contents: [1, -2, 100000] } },
      { name: 'i8', datatype: 'INT8', shape: [1, 3], contents: { int_contents: [-128, 0, 127] } },
      { name: 'u8', datatype: 'UINT8', shape: [1, 3], contents: { uint_contents: [0, 128, 255] } },
      { name: 'flag', datatype: 'BOOL', shape: [1, 3], contents: { bool_contents: [true, false, true] } },
    ];
    // FP16 has no typed field, so a request with an FP16 input is raw throughout.
    const f16 = Uint16Array.from([0x3800, 0xbd00, 0x4200]); // 0.5, -1.25, 3
    const typedFailure = server.call('ModelInfer', {
      model_name: 'dtypes',
      inputs: [
        { name: 'f16', datatype: 'FP16', shape: [1, 3], contents: { fp32_contents: [0.5, -1.25, 3] } },
        ...inputs,
      ],
    });
    await expect(typedFailure).rejects.toMatchObject({
      code: status.INVALID_ARGUMENT,
      details: 'input "f16": FP16 has no typed contents; send raw_input_contents',
    });
    const raw = [
      rawBytes(f16),
      rawBytes(Float64Array.from([0.1, 1e-300, -2])),
      rawBytes(Int32Array.from([1, -2, 100000])),
      rawBytes(Int8Array.from([-128, 0, 127])),
      rawBytes(Uint8Array.from([0, 128, 255])),
      rawBytes(Uint8Array.from([1, 0, 1])),
    ];
    const response = await server.call<InferResponse>('ModelInfer', {
      model_name: 'dtypes',
      inputs: [{ name: 'f16', datatype: 'FP16', shape: [1, 3] }, ...inputs.map(({ contents: _, ...i }) => i)],
      raw_input_contents: raw,
    });
    const byName = Object.fromEntries(response.outputs.map((o, i) => [o.name, response.raw_output_contents[i]!]));
    expect([...new Uint16Array(new Uint8Array(byName.f16_out!).buffer)]).toEqual([0x3c00, 0xc100, 0x4600]);
    expect([...new Float64Array(new Uint8Array(byName.f64_out!).buffer)]).toEqual([0.2, 2e-300, -4]);
    expect([...new Int8Array(new Uint8Array(byName.i8_out!).buffer)]).toEqual([-128, 0, 127]);
    expect([...byName.flag_out!]).toEqual([0, 1, 0]);

    const typed = await server.call<InferResponse>('ModelInfer', {
      model_name: 'two',
      inputs: [
        { name: 'image', datatype: 'FP32', shape: [1, 3, 2, 2], contents: { fp32_contents: image.slice(0, 12) } },
        { name: 'ids', datatype: 'INT64', shape: [1, 2], contents: { int64_contents: ['9007199254740993', 0] } },
      ],
      outputs: [{ name: 'ids_out' }],
    });
    // INT64 travels as decimal strings both ways: 2^53 + 1 keeps its last digit (ids_out = 3 * ids + 1).
    expect(typed.outputs[0]!.contents!.int64_contents).toEqual(['27021597764222980', '1']);
  });
});

describe('gRPC ModelInfer refusals', () => {
  const convInput = (over: object = {}) => ({
    model_name: 'conv',
    inputs: [
      {
        name: 'x',
        datatype: 'FP32',
        shape: [1, 3, 8, 8],
        contents: { fp32_contents: new Array(192).fill(0) },
        ...over,
      },
    ],
  });

  it.each([
    [
      'a wrong datatype',
      convInput({ datatype: 'INT32' }),
      status.INVALID_ARGUMENT,
      'input "x" has datatype FP32, got INT32',
    ],
    [
      'a shape that does not fit the contents',
      convInput({ shape: [1, 3, 8, 9] }),
      status.INVALID_ARGUMENT,
      'input "x": shape [1, 3, 8, 9] needs 216 elements but contents.fp32_contents has 192',
    ],
    [
      'values in the wrong field',
      convInput({ contents: { int_contents: new Array(192).fill(0) } }),
      status.INVALID_ARGUMENT,
      'input "x" is FP32: its values go in contents.fp32_contents, not int_contents',
    ],
    [
      'an unknown input',
      convInput({ name: 'z' }),
      status.INVALID_ARGUMENT,
      'model "conv" has no input "z"; its inputs are: x',
    ],
    ['an unknown model', { ...convInput(), model_name: 'nope' }, status.NOT_FOUND, 'unknown model "nope"'],
    [
      'a batch over max_batch_size',
      convInput({ shape: [9, 3, 8, 8], contents: { fp32_contents: new Array(9 * 192).fill(0) } }),
      status.INVALID_ARGUMENT,
      `model "conv" version 1: the request's batch is 9, but max_batch_size is 8`,
    ],
  ])('refuses %s with the HTTP message', async (_what, request, code, details) => {
    const error = await server.call('ModelInfer', request).catch((e: unknown) => e);
    expect(error).toMatchObject({ code, details });
    const errorCode = (error as { metadata: { get(k: string): unknown[] } }).metadata.get('x-error-code')[0];
    expect(errorCode).toMatch(/^ERR_/);
  });

  it('refuses a raw_input_contents entry of the wrong size, naming it', async () => {
    const request = {
      model_name: 'conv',
      inputs: [{ name: 'x', datatype: 'FP32', shape: [1, 3, 8, 8] }],
      raw_input_contents: [Buffer.alloc(100)],
    };
    await expect(server.call('ModelInfer', request)).rejects.toMatchObject({
      code: status.INVALID_ARGUMENT,
      details: 'input "x": shape [1, 3, 8, 8] of FP32 needs 768 bytes but raw_input_contents[0] has 100',
    });
  });
});

describe('gRPC ModelStreamInfer', () => {
  it('answers every request on the stream, failures as error_message, and ends after the client does', async () => {
    const stream = (
      server.client as unknown as { ModelStreamInfer(): ClientDuplexStream<object, StreamResponse> }
    ).ModelStreamInfer();
    const responses: StreamResponse[] = [];
    stream.on('data', (r: StreamResponse) => responses.push(r));
    const ended = new Promise<void>((resolve, reject) => {
      stream.on('status', (s: { code: number }) =>
        s.code === status.OK ? resolve() : reject(new Error(String(s.code))),
      );
    });
    for (const id of ['a', 'b']) {
      stream.write({
        model_name: 'conv',
        id,
        inputs: [
          { name: 'x', datatype: 'FP32', shape: [1, 3, 8, 8], contents: { fp32_contents: new Array(192).fill(1) } },
        ],
      });
    }
    stream.write({ model_name: 'nope', id: 'c', inputs: [] });
    stream.end();
    await ended;
    expect(responses.map((r) => r.infer_response?.id).sort()).toEqual(['a', 'b', 'c']);
    const failed = responses.find((r) => r.infer_response?.id === 'c')!;
    expect(failed.error_message).toBe('unknown model "nope"');
    const ok = responses.filter((r) => r.error_message === '');
    expect(ok).toHaveLength(2);
    expect(ok[0]!.infer_response!.outputs[0]!.contents!.fp32_contents).toHaveLength(256);
  });
});

interface StreamResponse {
  error_message: string;
  infer_response: InferResponse | null;
}
