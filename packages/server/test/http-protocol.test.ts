import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTensor, type Runner } from '@oxidizedvision/runtime';
import { createNodeRunner } from '@oxidizedvision/runtime/node';
import { FIXTURES } from './http-support/fixtures.js';
import { startServer, type TestServer } from './http-support/server.js';

interface InferBody {
  model_name: string;
  model_version: string;
  id?: string;
  outputs: { name: string; datatype: string; shape: number[]; data: number[] | boolean[] }[];
}

let server: TestServer;
let twoInputs: Runner;
let tinyConv: Runner;

beforeAll(async () => {
  server = await startServer(
    [
      { name: 'two', path: FIXTURES.twoInputs },
      { name: 'conv', path: FIXTURES.tinyConv },
      { name: 'dtypes', path: FIXTURES.dtypes },
    ],
    { listen: true },
  );
  twoInputs = await createNodeRunner(FIXTURES.twoInputs);
  tinyConv = await createNodeRunner(FIXTURES.tinyConv);
});

afterAll(async () => {
  await server.close();
  await twoInputs.dispose();
  await tinyConv.dispose();
});

const infer = (url: string, payload: unknown) => server.app.inject({ method: 'POST', url, payload: payload as object });

describe('health and server metadata', () => {
  it('answers live and ready with 200 over real HTTP', async () => {
    const live = await fetch(`${server.url}/v2/health/live`);
    expect(live.status).toBe(200);
    expect(await live.json()).toEqual({ live: true });
    const ready = await fetch(`${server.url}/v2/health/ready`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ ready: true });
  });

  it('describes the server with name, version and the extensions perf_analyzer looks for', async () => {
    const body = (await server.app.inject({ url: '/v2' })).json();
    expect(body).toEqual({
      name: 'oxidizedvision',
      version: expect.stringMatching(/^\d+\.\d+\.\d+/),
      extensions: expect.arrayContaining([
        'binary_tensor_data',
        'model_repository',
        'model_configuration',
        'statistics',
      ]),
    });
  });
});

describe('model metadata, readiness, config and stats', () => {
  it('lists inputs and outputs with protocol datatypes and -1 for symbolic dims', async () => {
    const response = await server.app.inject({ url: '/v2/models/two' });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toMatchObject({
      name: 'two',
      versions: ['1'],
      platform: 'onnxruntime_onnx',
      inputs: [
        { name: 'image', datatype: 'FP32', shape: [-1, 3, -1, -1] },
        { name: 'ids', datatype: 'INT64', shape: [-1, 2] },
      ],
      outputs: [
        { name: 'scaled', datatype: 'FP32', shape: [-1, 3, -1, -1] },
        { name: 'ids_out', datatype: 'INT64', shape: [-1, 2] },
      ],
    });
  });

  it('spells every datatype the protocol way', async () => {
    const { inputs } = (await server.app.inject({ url: '/v2/models/dtypes' })).json() as {
      inputs: { datatype: string }[];
    };
    expect(inputs.map((i) => i.datatype)).toEqual(['FP16', 'FP64', 'INT32', 'INT8', 'UINT8', 'BOOL']);
  });

  it('serves the same metadata under /versions/{v} and 404s an unknown version or model', async () => {
    const latest = (await server.app.inject({ url: '/v2/models/two' })).json();
    expect((await server.app.inject({ url: '/v2/models/two/versions/1' })).json()).toEqual(latest);
    const version = await server.app.inject({ url: '/v2/models/two/versions/9' });
    expect(version.statusCode).toBe(404);
    expect(version.json().error).toMatch(/version "9"/);
    const model = await server.app.inject({ url: '/v2/models/nope' });
    expect(model.statusCode).toBe(404);
    expect(model.json()).toEqual({ error: expect.stringContaining('nope') });
  });

  it('reports model readiness', async () => {
    for (const url of ['/v2/models/conv/ready', '/v2/models/conv/versions/1/ready']) {
      const response = await server.app.inject({ url });
      expect(response.statusCode).toBe(200);
      expect(response.json()).toEqual({ name: 'conv', version: '1', ready: true });
    }
  });

  it("answers /config in Triton's shape, dims without the batch dim", async () => {
    const config = (await server.app.inject({ url: '/v2/models/conv/config' })).json();
    expect(config).toMatchObject({
      name: 'conv',
      platform: 'onnxruntime_onnx',
      max_batch_size: 8,
      input: [{ name: 'x', data_type: 'TYPE_FP32', dims: [3, 8, 8] }],
      output: [{ name: 'y', data_type: 'TYPE_FP32', dims: [4, 8, 8] }],
      dynamic_batching: { max_queue_delay_microseconds: 0, default_queue_policy: { max_queue_size: 64 } },
      instance_group: [{ kind: 'KIND_CPU', count: 1 }],
    });
  });

  it("answers /stats in Triton's shape, every field perf_analyzer reads present and integral", async () => {
    const payload = { inputs: [{ name: 'x', shape: [2, 3, 8, 8], datatype: 'FP32', data: new Array(384).fill(1) }] };
    expect((await infer('/v2/models/conv/infer', payload)).statusCode).toBe(200);
    const stats = await server.app.inject({ url: '/v2/models/conv/stats' });
    expect(stats.statusCode).toBe(200);
    const [conv] = stats.json().model_stats as Record<string, unknown>[];
    expect(conv).toMatchObject({
      name: 'conv',
      version: '1',
      inference_count: expect.any(Number),
      execution_count: expect.any(Number),
    });
    expect(conv!.inference_count).toBeGreaterThanOrEqual(2);
    const phases = conv!.inference_stats as Record<string, { count: number; ns: number }>;
    for (const phase of [
      'success',
      'fail',
      'queue',
      'compute_input',
      'compute_infer',
      'compute_output',
      'cache_hit',
      'cache_miss',
    ]) {
      expect(Number.isInteger(phases[phase]!.count) && Number.isInteger(phases[phase]!.ns), phase).toBe(true);
    }
    expect(phases.success!.count).toBeGreaterThanOrEqual(1);
    expect(phases.cache_hit).toEqual({ count: 0, ns: 0 });
    const all = (await server.app.inject({ url: '/v2/models/stats' })).json() as { model_stats: { name: string }[] };
    expect(all.model_stats.map((s) => s.name)).toContain('conv');
    expect((await server.app.inject({ url: '/v2/models/conv/versions/1/stats' })).statusCode).toBe(200);
    expect((await server.app.inject({ url: '/v2/models/nope/stats' })).statusCode).toBe(404);
  });
});

describe('JSON inference', () => {
  const image = Array.from({ length: 2 * 3 * 2 * 2 }, (_, i) => i / 4 - 1);

  it('runs a request and returns exactly what createNodeRunner returns', async () => {
    const response = await infer('/v2/models/two/infer', {
      id: 'req-42',
      inputs: [
        { name: 'image', shape: [2, 3, 2, 2], datatype: 'FP32', data: image },
        { name: 'ids', shape: [2, 2], datatype: 'INT64', data: [1, 2, 3, -4] },
      ],
    });
    expect(response.statusCode).toBe(200);
    const body = response.json() as InferBody;
    expect(body).toMatchObject({ model_name: 'two', model_version: '1', id: 'req-42' });
    const direct = await twoInputs.run({
      image: createTensor('float32', [2, 3, 2, 2], image),
      ids: createTensor('int64', [2, 2], [1, 2, 3, -4]),
    });
    expect(body.outputs.map((o) => o.name)).toEqual(['scaled', 'ids_out']);
    expect(body.outputs[0]).toMatchObject({ datatype: 'FP32', shape: [2, 3, 2, 2] });
    expect(Float32Array.from(body.outputs[0]!.data as number[])).toEqual(direct.scaled!.data);
    expect(body.outputs[1]).toEqual({ name: 'ids_out', datatype: 'INT64', shape: [2, 2], data: [4, 7, 10, -11] });
  });

  it('accepts nested data and returns only the requested outputs, in the requested order', async () => {
    const nested = [
      [
        [
          [1, 2],
          [3, 4],
        ],
        [
          [5, 6],
          [7, 8],
        ],
        [
          [9, 10],
          [11, 12],
        ],
      ],
    ];
    const response = await infer('/v2/models/two/versions/1/infer', {
      inputs: [
        { name: 'ids', shape: [1, 2], datatype: 'INT64', data: [[5, 6]] },
        { name: 'image', shape: [1, 3, 2, 2], datatype: 'FP32', data: nested },
      ],
      outputs: [{ name: 'ids_out' }],
    });
    expect(response.statusCode).toBe(200);
    const body = response.json() as InferBody;
    expect(body.id).toBeUndefined();
    expect(body.outputs).toEqual([{ name: 'ids_out', datatype: 'INT64', shape: [1, 2], data: [16, 19] }]);
  });

  it('matches createNodeRunner on a convolution over real HTTP', async () => {
    const data = Array.from({ length: 3 * 8 * 8 }, (_, i) => Math.sin(i));
    const response = await fetch(`${server.url}/v2/models/conv/infer`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ inputs: [{ name: 'x', shape: [1, 3, 8, 8], datatype: 'FP32', data }] }),
    });
    expect(response.status).toBe(200);
    const body = (await response.json()) as InferBody;
    const direct = await tinyConv.run({ x: createTensor('float32', [1, 3, 8, 8], data) });
    expect(body.outputs[0]!.shape).toEqual([1, 4, 8, 8]);
    expect(Float32Array.from(body.outputs[0]!.data as number[])).toEqual(direct.y!.data);
  });

  it('carries FP16, FP64, INT32, INT8, UINT8 and BOOL through JSON', async () => {
    const response = await infer('/v2/models/dtypes/infer', {
      inputs: [
        { name: 'f16', shape: [1, 3], datatype: 'FP16', data: [0.5, -1.25, 3] },
        { name: 'f64', shape: [1, 3], datatype: 'FP64', data: [0.1, 1e-300, -2] },
        { name: 'i32', shape: [1, 3], datatype: 'INT32', data: [1, -2, 100000] },
        { name: 'i8', shape: [1, 3], datatype: 'INT8', data: [-128, 0, 127] },
        { name: 'u8', shape: [1, 3], datatype: 'UINT8', data: [0, 128, 255] },
        { name: 'flag', shape: [1, 3], datatype: 'BOOL', data: [true, false, true] },
      ],
    });
    expect(response.statusCode).toBe(200);
    const byName = Object.fromEntries((response.json() as InferBody).outputs.map((o) => [o.name, o]));
    expect(byName.f16_out).toMatchObject({ datatype: 'FP16', data: [1, -2.5, 6] });
    expect(byName.f64_out).toMatchObject({ datatype: 'FP64', data: [0.2, 2e-300, -4] });
    expect(byName.i32_out).toMatchObject({ datatype: 'INT32', data: [3, -6, 300000] });
    expect(byName.i8_out).toMatchObject({ datatype: 'INT8', data: [-128, 0, 127] });
    expect(byName.u8_out).toMatchObject({ datatype: 'UINT8', data: [0, 128, 255] });
    expect(byName.flag_out).toMatchObject({ datatype: 'BOOL', shape: [1, 3], data: [false, true, false] });
  });
});
