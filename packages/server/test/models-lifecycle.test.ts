import { describe, expect, it } from 'vitest';
import { createTensor } from '@oxidizedvision/runtime';
import { createModelManager, type ModelManagerOptions } from '../dist/models/index.js';
import { expectOxvError, fixturePath, recordEvents, slowInput, waitFor } from './fixtures/helpers.js';

const slowSpec = (batching: object = {}) => ({
  name: 'slow',
  source: { kind: 'file' as const, path: fixturePath('slow.onnx') },
  batching: { maxBatchSize: 1, maxQueueSize: 100, ...batching } as never,
  instances: { count: 1, threads: 1 },
});

async function started(options: ModelManagerOptions) {
  const manager = createModelManager({ cores: 2, ...options });
  const events = recordEvents(manager);
  await manager.start();
  return { manager, events };
}

describe('draining and unloading', () => {
  it('drain() under load answers every accepted request, refuses new ones, then stops', async () => {
    const { manager, events } = await started({ models: [slowSpec()] });
    const accepted = Array.from({ length: 12 }, (_, i) =>
      manager.infer('slow', undefined, { inputs: slowInput(i + 1) }),
    );
    expect(manager.isReady()).toBe(true);
    const drained = manager.drain(30_000);
    expect(manager.isReady()).toBe(false);
    await expectOxvError(manager.infer('slow', undefined, { inputs: slowInput(1) }), 'ERR_SHUTTING_DOWN');
    const results = await Promise.all(accepted);
    results.forEach((r, i) => expect(r.outputs.y!.data[0]).toBe((i + 1) * 2));
    await drained;
    expect(events.requests.filter((r) => r.reason === 'ERR_SHUTTING_DOWN')).toHaveLength(1);
    await manager.close(); // idempotent after drain
    await expectOxvError(manager.infer('slow', undefined, { inputs: slowInput(1) }), 'ERR_SHUTTING_DOWN');
  });

  it('drain() gives up at its timeout: what is still queued fails with ERR_SHUTTING_DOWN', async () => {
    const { manager } = await started({ models: [slowSpec()] });
    const accepted = Promise.allSettled(
      Array.from({ length: 30 }, (_, i) => manager.infer('slow', undefined, { inputs: slowInput(i) })),
    );
    const startedAt = Date.now();
    await manager.drain(40);
    expect(Date.now() - startedAt).toBeLessThan(5_000);
    const settled = await accepted;
    const failed = settled.filter((s) => s.status === 'rejected').map((s) => (s as PromiseRejectedResult).reason.code);
    expect(failed.length).toBeGreaterThan(0);
    expect(new Set(failed)).toEqual(new Set(['ERR_SHUTTING_DOWN']));
  });

  it('unload() lets accepted requests finish on the version and refuses later ones', async () => {
    const { manager, events } = await started({ models: [slowSpec()] });
    try {
      const accepted = Array.from({ length: 6 }, (_, i) => manager.infer('slow', undefined, { inputs: slowInput(i) }));
      const unloading = manager.unload('slow');
      await waitFor(() => manager.list()[0]?.state === 'UNLOADING', 'UNLOADING');
      expect(manager.list()[0]).toMatchObject({ reason: 'unloaded by request' });
      await expectOxvError(
        manager.infer('slow', undefined, { inputs: slowInput(1) }),
        'ERR_MODEL_NOT_READY',
        /UNLOADING/,
      );
      await expect(Promise.all(accepted)).resolves.toHaveLength(6);
      await unloading;
      expect(manager.list()[0]).toMatchObject({ state: 'UNAVAILABLE', reason: 'unloaded by request' });
      // Unloaded by request, the model no longer counts against readiness.
      expect(manager.isReady()).toBe(true);
      await manager.load('slow');
      expect((await manager.infer('slow', undefined, { inputs: slowInput(4) })).outputs.y!.data[0]).toBe(8);
      expect(events.states.map((s) => s.state)).toEqual([
        'LOADING',
        'READY',
        'UNLOADING',
        'UNAVAILABLE',
        'LOADING',
        'READY',
      ]);
    } finally {
      await manager.close();
    }
  });
});

describe('worker crashes', () => {
  it('fails the crashed worker in-flight request with ERR_INFERENCE and replaces the worker', async () => {
    const { manager, events } = await started({
      workerUrl: new URL('./fixtures/crashing-worker.mjs', import.meta.url),
      models: [
        {
          name: 'conv',
          source: { kind: 'file', path: fixturePath('tiny_conv.onnx') },
          batching: { maxBatchSize: 4 } as never,
          instances: { count: 1, threads: 1 },
        },
      ],
    });
    try {
      const input = (first: number) => {
        const data = new Float32Array(192).fill(0.5);
        data[0] = first;
        return { x: createTensor('float32', [1, 3, 8, 8], data) };
      };
      await expectOxvError(
        manager.infer('conv', undefined, { inputs: input(-999) }),
        'ERR_INFERENCE',
        /worker crashed/,
      );
      // Sent while no worker is alive: it waits in the queue for the replacement instead of failing.
      const next = await manager.infer('conv', undefined, { inputs: input(1) });
      expect(next.outputs.y!.shape).toEqual([1, 4, 8, 8]);
      await waitFor(() => events.logs.some((l) => /replacement worker ready/.test(l.msg)), 'the replacement log');
      expect(events.logs.some((l) => l.level === 'error' && /exit code 7/.test(l.msg))).toBe(true);
      expect(manager.list()[0]?.state).toBe('READY');
      const again = await Promise.all([1, 2, 3].map((v) => manager.infer('conv', undefined, { inputs: input(v) })));
      expect(again).toHaveLength(3);
    } finally {
      await manager.close();
    }
  });
});
