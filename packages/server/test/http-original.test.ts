import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTensor } from '@oxidizedvision/runtime';
import { createNodeRunner } from '@oxidizedvision/runtime/node';
import { FIXTURES } from './http-support/fixtures.js';
import { startServer, type TestServer } from './http-support/server.js';

let server: TestServer;
const x = Array.from({ length: 192 }, (_, i) => (i % 11) / 10);

beforeAll(async () => {
  server = await startServer(
    [
      { name: 'conv', path: FIXTURES.tinyConv },
      { name: 'two', path: FIXTURES.twoInputs },
      { name: 'fixed', path: FIXTURES.fixedBatch, maxBatchSize: 0 },
    ],
    { defaultModel: 'conv', listen: true },
  );
});
afterAll(() => server.close());

describe("the original toolkit's endpoints", () => {
  it('POST /predict runs the default model and returns its output data, shape and latency (real HTTP)', async () => {
    const response = await fetch(`${server.url}/predict`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ data: x, shape: [1, 3, 8, 8] }),
    });
    expect(response.status).toBe(200);
    const body = (await response.json()) as {
      model: string;
      output_shape: number[];
      data: number[];
      latency_ms: number;
    };
    expect(body).toMatchObject({ status: 'success', model: 'conv', output_shape: [1, 4, 8, 8] });
    expect(body.latency_ms).toBeGreaterThan(0);
    const runner = await createNodeRunner(FIXTURES.tinyConv);
    const direct = await runner.run({ x: createTensor('float32', [1, 3, 8, 8], x) });
    await runner.dispose();
    expect(Float32Array.from(body.data)).toEqual(direct.y!.data);
  });

  it('POST /predict/{model} names the model; without shape a fixed-shape input is used, without data zeros', async () => {
    const response = await server.app.inject({ method: 'POST', url: '/predict/fixed', payload: {} });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toMatchObject({ model: 'fixed', output_shape: [2, 4], data: new Array(8).fill(1) });
    const nested = await server.app.inject({
      method: 'POST',
      url: '/predict/fixed',
      payload: {
        data: [
          [1, 2, 3, 4],
          [5, 6, 7, 8],
        ],
      },
    });
    expect(nested.json().data).toEqual([2, 3, 4, 5, 6, 7, 8, 9]);
  });

  it('refuses what the original could not express, with clear errors', async () => {
    const twoInputs = await server.app.inject({
      method: 'POST',
      url: '/predict/two',
      payload: { data: [1], shape: [1] },
    });
    expect(twoInputs.statusCode).toBe(400);
    expect(twoInputs.json().error).toMatch(/2 inputs; use POST \/v2\/models\/two\/infer/);
    const mismatch = await server.app.inject({
      method: 'POST',
      url: '/predict',
      payload: { data: [1, 2, 3], shape: [1, 3, 8, 8] },
    });
    expect(mismatch.statusCode).toBe(400);
    expect(mismatch.json().error).toMatch(/needs 192 elements but data has 3/);
    const noShape = await server.app.inject({ method: 'POST', url: '/predict/two', payload: '{' });
    expect(noShape.statusCode).toBe(400);
    const unknown = await server.app.inject({ method: 'POST', url: '/predict/nope', payload: { data: [] } });
    expect(unknown.statusCode).toBe(404);
  });

  it('GET /health summarises models and request counts', async () => {
    const body = (await server.app.inject({ url: '/health' })).json();
    expect(body).toMatchObject({
      status: 'healthy',
      total_requests: expect.any(Number),
      total_errors: expect.any(Number),
    });
    expect(body.models).toContainEqual(
      expect.objectContaining({
        name: 'conv',
        version: '1',
        status: 'ready',
        input_shape: [-1, 3, 8, 8],
        batching_enabled: true,
        max_batch_size: 8,
      }),
    );
    expect(body.total_errors).toBeGreaterThanOrEqual(3);
  });

  it('GET /models lists every model with its batching', async () => {
    const { models } = (await server.app.inject({ url: '/models' })).json() as {
      models: { name: string; batching_enabled: boolean }[];
    };
    expect(models.map((m) => m.name).sort()).toEqual(['conv', 'fixed', 'two']);
    expect(models.find((m) => m.name === 'fixed')!.batching_enabled).toBe(false);
  });
});
