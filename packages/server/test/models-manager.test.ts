import { writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTensor, type Runner, type Tensor } from '@oxidizedvision/runtime';
import { createNodeRunner } from '@oxidizedvision/runtime/node';
import { createModelManager, type ModelManager } from '../dist/models/index.js';
import { expectClose, expectOxvError, fixturePath, recordEvents, seededFloats, slowInput } from './fixtures/helpers.js';

// Results through workers and batching must equal a direct in-process run to float32 rounding.
const TOLERANCE = 1e-5;

let manager: ModelManager;
let events: ReturnType<typeof recordEvents>;
let direct: Runner;
const corruptPath = join(tmpdir(), `oxv-corrupt-${process.pid}.onnx`);

const convInput = (batch: number, seed: number): Record<string, Tensor> => ({
  x: createTensor('float32', [batch, 3, 8, 8], seededFloats(batch * 192, seed)),
});

beforeAll(async () => {
  await writeFile(corruptPath, Buffer.from('this is not an onnx model'));
  const file = (name: string, path: string, batching: object = {}) => ({
    name,
    source: { kind: 'file' as const, path },
    batching: { maxBatchSize: 8, maxQueueDelayMs: 20, ...batching } as never,
    instances: { count: 1, threads: 1 },
  });
  manager = createModelManager({
    cores: 2,
    models: [
      file('conv', fixturePath('tiny_conv.onnx')),
      file('pair', fixturePath('two_inputs.onnx')),
      file('fixed', fixturePath('fixed_batch.onnx')),
      file('slow', fixturePath('slow.onnx'), { maxBatchSize: 4, maxQueueDelayMs: 0, maxQueueSize: 4 }),
      file('broken', corruptPath),
    ],
  });
  events = recordEvents(manager);
  await manager.start();
  direct = await createNodeRunner(fixturePath('tiny_conv.onnx'), { intraOpThreads: 1 });
});

afterAll(async () => {
  await manager?.close();
  await direct?.dispose();
});

describe('model manager with real workers', () => {
  it('serves results equal to a direct onnxruntime-node run', async () => {
    for (const batch of [1, 3]) {
      const expected = await direct.run(convInput(batch, batch));
      const result = await manager.infer('conv', undefined, { inputs: convInput(batch, batch) });
      expect(result).toMatchObject({ modelName: 'conv', modelVersion: '1' });
      expect(result.outputs.y!.shape).toEqual([batch, 4, 8, 8]);
      expectClose(result.outputs.y!.data as Float32Array, expected.y!.data as Float32Array, TOLERANCE);
    }
  });

  it('batches concurrent batch-1 requests and gives each its own slice', async () => {
    const before = events.batches.length;
    const seeds = Array.from({ length: 12 }, (_, i) => 100 + i);
    const results = await Promise.all(seeds.map((s) => manager.infer('conv', undefined, { inputs: convInput(1, s) })));
    const batches = events.batches.slice(before).filter((b) => b.model === 'conv');
    expect(batches.reduce((n, b) => n + b.size, 0)).toBe(12);
    expect(Math.max(...batches.map((b) => b.size))).toBeGreaterThan(1);
    for (const [i, seed] of seeds.entries()) {
      const expected = await direct.run(convInput(1, seed));
      expectClose(results[i]!.outputs.y!.data as Float32Array, expected.y!.data as Float32Array, TOLERANCE);
      expect(results[i]!.timing.batchSize).toBeGreaterThanOrEqual(1);
      expect(results[i]!.timing.totalMs).toBeGreaterThanOrEqual(results[i]!.timing.queueMs);
    }
  });

  it('batches a two-input model (float32 + int64) but never across different image sizes', async () => {
    const before = events.batches.length;
    const request = (size: number, seed: number) => ({
      inputs: {
        image: createTensor('float32', [1, 3, size, size], seededFloats(3 * size * size, seed)),
        ids: createTensor('int64', [1, 2], [BigInt(seed), 2n ** 40n + BigInt(seed)]),
      },
    });
    const sizes = [4, 6, 4, 6, 4, 6];
    const results = await Promise.all(sizes.map((size, i) => manager.infer('pair', undefined, request(size, i + 1))));
    results.forEach((result, i) => {
      const { inputs } = request(sizes[i]!, i + 1);
      expect(result.outputs.scaled!.shape).toEqual([1, 3, sizes[i], sizes[i]]);
      const image = inputs.image.data as Float32Array;
      expectClose(
        result.outputs.scaled!.data as Float32Array,
        image.map((v) => v * 2 + 1),
        TOLERANCE,
      );
      expect(Array.from(result.outputs.ids_out!.data as BigInt64Array)).toEqual(
        Array.from(inputs.ids.data as BigInt64Array, (v) => v * 3n + 1n),
      );
    });
    const batches = events.batches.slice(before).filter((b) => b.model === 'pair');
    expect(batches.reduce((n, b) => n + b.size, 0)).toBe(6);
    // Three of each size arrived within the 20 ms window: each size forms its own batch.
    expect(batches.every((b) => b.size <= 3)).toBe(true);
  });

  it('serves a model without a dynamic batch dim one request at a time', async () => {
    expect(manager.metadata('fixed').batching.maxBatchSize).toBe(0);
    expect(
      events.logs.some((l) => l.level === 'warn' && l.model === 'fixed' && /no dynamic batch dim/.test(l.msg)),
    ).toBe(true);
    const before = events.batches.length;
    const inputs = (v: number) => ({ x: createTensor('float32', [2, 4], new Float32Array(8).fill(v)) });
    const results = await Promise.all([1, 2, 3].map((v) => manager.infer('fixed', undefined, { inputs: inputs(v) })));
    results.forEach((r, i) => expect(Array.from(r.outputs.y!.data as Float32Array)).toEqual(new Array(8).fill(i + 2)));
    expect(events.batches.slice(before).map((b) => b.size)).toEqual([1, 1, 1]);
  });

  it('refuses requests beyond max_queue_size with ERR_QUEUE_FULL and retryAfterSeconds', async () => {
    const attempts = Array.from({ length: 14 }, (_, i) => manager.infer('slow', undefined, { inputs: slowInput(i) }));
    const settled = await Promise.allSettled(attempts);
    const refused = settled.filter((s) => s.status === 'rejected');
    expect(refused.length).toBeGreaterThan(0);
    for (const s of refused) {
      const error = (s as PromiseRejectedResult).reason;
      expect(error.code).toBe('ERR_QUEUE_FULL');
      expect(error.details.retryAfterSeconds).toBeGreaterThanOrEqual(1);
    }
    settled.forEach((s, i) => {
      if (s.status === 'fulfilled') expect(s.value.outputs.y!.data[0]).toBe(i * 2);
    });
  });

  it('times a request out of the queue without computing it', async () => {
    const before = events.batches.length;
    const running = manager.infer('slow', undefined, { inputs: slowInput(1) });
    // The instance is busy for ~30 ms; a 1 ms deadline expires while the request still waits.
    await expectOxvError(manager.infer('slow', undefined, { inputs: slowInput(2), timeoutMs: 1 }), 'ERR_TIMEOUT');
    await running;
    await new Promise((resolve) => setTimeout(resolve, 50));
    const samples = events.batches.slice(before).reduce((n, b) => n + b.size, 0);
    expect(samples).toBe(1);
    expect(events.requests.some((r) => r.model === 'slow' && r.reason === 'ERR_TIMEOUT')).toBe(true);
  });

  it('moves a lone request input to the worker without copying, and copies views of larger buffers', async () => {
    const whole = convInput(1, 7);
    const expected = await direct.run(convInput(1, 7));
    const result = await manager.infer('conv', undefined, { inputs: whole });
    expectClose(result.outputs.y!.data as Float32Array, expected.y!.data as Float32Array, TOLERANCE);
    // The buffer was transferred: the caller's array is detached, so infer() owns its inputs.
    expect(whole.x!.data.length).toBe(0);
    const backing = new Float32Array(192 + 16);
    backing.set(seededFloats(192, 7), 8);
    const view = createTensor('float32', [1, 3, 8, 8], backing.subarray(8, 200));
    const fromView = await manager.infer('conv', undefined, { inputs: { x: view } });
    expectClose(fromView.outputs.y!.data as Float32Array, expected.y!.data as Float32Array, TOLERANCE);
    expect(view.data.length).toBe(192);
  });

  it('tells unknown models (ERR_MODEL_NOT_FOUND) from known but unready ones (ERR_MODEL_NOT_READY)', async () => {
    await expectOxvError(manager.infer('nope', undefined, { inputs: {} }), 'ERR_MODEL_NOT_FOUND');
    await expectOxvError(manager.infer('conv', '7', { inputs: convInput(1, 1) }), 'ERR_MODEL_NOT_FOUND');
    expect(() => manager.metadata('nope')).toThrow(/unknown model "nope"/);
    const broken = manager.list().find((s) => s.name === 'broken');
    expect(broken).toMatchObject({ version: '1', state: 'UNAVAILABLE' });
    expect(broken?.reason).toMatch(/could not load model/);
    await expectOxvError(manager.infer('broken', undefined, { inputs: {} }), 'ERR_MODEL_NOT_READY', /could not load/);
    expect(manager.metadata('broken')).toMatchObject({ state: 'UNAVAILABLE', versions: [] });
    expect(manager.metadata('broken').lastLoadError).toMatch(/version 1: could not load model/);
    expect(events.logs.some((l) => l.level === 'error' && l.model === 'broken')).toBe(true);
    // A wanted model that failed keeps the server not ready (Triton's strict readiness).
    expect(manager.isReady()).toBe(false);
  });

  it('validates inputs before queueing, with the runtime error codes', async () => {
    const x = createTensor('float32', [1, 3, 8, 8]);
    await expectOxvError(
      manager.infer('conv', undefined, { inputs: { x, extra: x } }),
      'ERR_INPUT_NAME',
      /unknown input "extra"/,
    );
    await expectOxvError(manager.infer('conv', undefined, { inputs: {} }), 'ERR_INPUT_NAME', /missing input "x"/);
    await expectOxvError(
      manager.infer('conv', undefined, { inputs: { x: createTensor('float64', [1, 3, 8, 8]) } }),
      'ERR_INPUT_DTYPE',
    );
    await expectOxvError(
      manager.infer('conv', undefined, { inputs: { x: createTensor('float32', [1, 3, 8, 9]) } }),
      'ERR_INPUT_SHAPE',
      /axis 3/,
    );
    await expectOxvError(
      manager.infer('conv', undefined, { inputs: { x }, outputs: ['z'] }),
      'ERR_INPUT_NAME',
      /unknown output/,
    );
    await expectOxvError(manager.infer('conv', undefined, { inputs: convInput(9, 1) }), 'ERR_BATCH_TOO_LARGE');
    const reasons = events.requests.filter((r) => r.model === 'conv' && !r.ok).map((r) => r.reason);
    expect(reasons).toEqual(
      expect.arrayContaining(['ERR_INPUT_NAME', 'ERR_INPUT_DTYPE', 'ERR_INPUT_SHAPE', 'ERR_BATCH_TOO_LARGE']),
    );
  });

  it('reports metadata and Triton-shaped statistics', async () => {
    const meta = manager.metadata('conv');
    expect(meta).toMatchObject({
      name: 'conv',
      version: '1',
      versions: ['1'],
      platform: 'onnxruntime_onnx',
      state: 'READY',
      inputs: [{ name: 'x', dtype: 'float32', shape: ['batch', 3, 8, 8] }],
      outputs: [{ name: 'y', dtype: 'float32', shape: ['batch', 4, 8, 8] }],
      instances: { count: 1, threads: 1 },
      card: null,
      lastLoadError: null,
    });
    const [stats] = manager.stats('conv', '1');
    expect(stats!.inference_stats.success.count).toBeGreaterThanOrEqual(14);
    expect(stats!.inference_stats.fail.count).toBeGreaterThanOrEqual(6);
    expect(stats!.inference_count).toBeGreaterThan(stats!.execution_count);
    expect(stats!.inference_stats.compute_infer.ns).toBeGreaterThan(0);
    expect(stats!.batch_stats.reduce((n, b) => n + b.compute_infer.count, 0)).toBe(stats!.execution_count);
    expect(manager.stats().map((s) => s.name)).toEqual(expect.arrayContaining(['conv', 'pair', 'fixed', 'slow']));
    expect(() => manager.stats('nope')).toThrow(/unknown model/);
  });
});
