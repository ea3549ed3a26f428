import { afterEach, describe, expect, it, vi } from 'vitest';
import { OxvError, createTensor, type Tensor } from '@oxidizedvision/runtime';
import { createBatcher, type BatchOutcome, type RequestOutcome } from '../dist/batching/index.js';
import { DEFAULT_BATCHING, resolveBatchingConfig, type BatchingConfig } from '../dist/models/index.js';
import { createFakeExecutor, tick } from './fixtures/fake-executor.js';
import { expectOxvError } from './fixtures/helpers.js';

function config(overrides: Partial<BatchingConfig>): BatchingConfig {
  return resolveBatchingConfig({ timeoutMs: 0, ...overrides }, DEFAULT_BATCHING);
}

/** One request for the fake model: x float32 [batch, 2] and n int64 [batch, 1], values from `base`. */
function request(base: number, batch = 1, width = 2): Record<string, Tensor> {
  const x = Array.from({ length: batch * width }, (_, i) => base + i);
  const n = Array.from({ length: batch }, (_, i) => BigInt(base * 10 + i));
  return { x: createTensor('float32', [batch, width], x), n: createTensor('int64', [batch, 1], n) };
}

function setup(overrides: Partial<BatchingConfig>, instances = 1) {
  const executor = createFakeExecutor(instances);
  const requests: RequestOutcome[] = [];
  const batches: BatchOutcome[] = [];
  const batcher = createBatcher({
    config: config(overrides),
    executor,
    hooks: { onRequest: (e) => requests.push(e), onBatch: (e) => batches.push(e) },
  });
  return { executor, batcher, requests, batches };
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe('batcher: forming batches', () => {
  it('runs a lone request at once when maxQueueDelayMs is 0', async () => {
    const { executor, batcher } = setup({ maxBatchSize: 8 });
    const pending = batcher.submit({ inputs: request(1) });
    expect(executor.runs).toHaveLength(1);
    executor.finishAll();
    const result = await pending;
    expect(Array.from(result.outputs.x_out!.data as Float32Array)).toEqual([2, 4]);
    expect(result.timing.batchSize).toBe(1);
  });

  it('batches requests that arrive while the instance is busy, and splits float32 and int64 outputs back', async () => {
    const { executor, batcher, batches } = setup({ maxBatchSize: 8 });
    const first = batcher.submit({ inputs: request(1) });
    const rest = [10, 20, 30].map((base, i) => batcher.submit({ inputs: request(base, i + 1) }));
    expect(executor.runs).toHaveLength(1);
    executor.runs[0]!.finish();
    await first;
    await tick();
    expect(executor.runs).toHaveLength(2);
    // Concatenated along dim 0 in arrival order; a request with batch k counts k.
    expect(executor.runs[1]!.feeds.x!.shape).toEqual([6, 2]);
    expect(Array.from(executor.runs[1]!.feeds.n!.data as BigInt64Array)).toEqual([100n, 200n, 201n, 300n, 301n, 302n]);
    executor.runs[1]!.finish();
    const results = await Promise.all(rest);
    results.forEach((result, i) => {
      const base = [10, 20, 30][i]!;
      const samples = i + 1;
      expect(result.outputs.x_out!.shape).toEqual([samples, 2]);
      expect(Array.from(result.outputs.x_out!.data as Float32Array)).toEqual(
        Array.from({ length: samples * 2 }, (_, k) => (base + k) * 2),
      );
      expect(result.outputs.n_out!.dtype).toBe('int64');
      expect(Array.from(result.outputs.n_out!.data as BigInt64Array)).toEqual(
        Array.from({ length: samples }, (_, k) => BigInt(base * 10 + k) + 1n),
      );
      expect(result.timing.batchSize).toBe(6);
    });
    expect(batches.map((b) => b.size)).toEqual([1, 6]);
  });

  it('flushes as soon as maxBatchSize samples are queued, before the delay', async () => {
    const { executor, batcher } = setup({ maxBatchSize: 4, maxQueueDelayMs: 60_000 });
    const all = [1, 2, 3].map((b) => batcher.submit({ inputs: request(b) }));
    expect(executor.runs).toHaveLength(0);
    all.push(batcher.submit({ inputs: request(4) }));
    expect(executor.runs).toHaveLength(1);
    expect(executor.runs[0]!.feeds.x!.shape).toEqual([4, 2]);
    executor.finishAll();
    await Promise.all(all);
  });

  it('never splits a request: a batch takes the longest prefix that fits', async () => {
    const { executor, batcher } = setup({ maxBatchSize: 4, maxQueueDelayMs: 50 });
    const a = batcher.submit({ inputs: request(1, 3) });
    const b = batcher.submit({ inputs: request(2, 2) });
    // 5 samples queued ≥ 4: the 3-sample request goes alone; the 2-sample one waits for its own delay.
    expect(executor.runs).toHaveLength(1);
    expect(executor.runs[0]!.feeds.x!.shape).toEqual([3, 2]);
    executor.runs[0]!.finish();
    await a;
    await tick(150);
    expect(executor.runs).toHaveLength(2);
    expect(executor.runs[1]!.feeds.x!.shape).toEqual([2, 2]);
    executor.finishAll();
    await b;
  });

  it('flushes a sub-queue once its first request has waited maxQueueDelayMs, with one timer per sub-queue', async () => {
    const setTimeoutSpy = vi.spyOn(globalThis, 'setTimeout');
    const { executor, batcher } = setup({ maxBatchSize: 8, maxQueueDelayMs: 40 });
    const all = [1, 2, 3, 4, 5].map((b) => batcher.submit({ inputs: request(b) }));
    expect(setTimeoutSpy).toHaveBeenCalledTimes(1);
    await tick(5);
    expect(executor.runs).toHaveLength(0);
    await tick(200);
    expect(executor.runs).toHaveLength(1);
    expect(executor.runs[0]!.feeds.x!.shape).toEqual([5, 2]);
    executor.finishAll();
    await Promise.all(all);
  });

  it('flushes early at a preferred batch size, taking the largest preferred prefix', async () => {
    const { executor, batcher } = setup({ maxBatchSize: 8, maxQueueDelayMs: 60_000, preferredBatchSizes: [2, 4] });
    const all = [batcher.submit({ inputs: request(1) })];
    expect(executor.runs).toHaveLength(0);
    all.push(batcher.submit({ inputs: request(2) }));
    expect(executor.runs).toHaveLength(1);
    expect(executor.runs[0]!.feeds.x!.shape).toEqual([2, 2]);
    // While that runs, 5 more arrive: 4 is preferred, so 4 go and the fifth waits.
    all.push(...[3, 4, 5, 6, 7].map((b) => batcher.submit({ inputs: request(b) })));
    executor.runs[0]!.finish();
    await tick();
    expect(executor.runs).toHaveLength(2);
    expect(executor.runs[1]!.feeds.x!.shape).toEqual([4, 2]);
    expect(batcher.queued()).toBe(1);
    batcher.close(new OxvError('ERR_SHUTTING_DOWN', 'test over'));
    executor.finishAll();
    await Promise.allSettled(all);
  });

  it('keeps shapes in separate sub-queues: another shape never flushes a pending batch early', async () => {
    const { executor, batcher } = setup({ maxBatchSize: 4, maxQueueDelayMs: 60 }, 2);
    const narrow = [1, 2, 3].map((b) => batcher.submit({ inputs: request(b, 1, 2) }));
    const wide = batcher.submit({ inputs: request(9, 1, 3) });
    await tick(5);
    expect(executor.runs).toHaveLength(0);
    await tick(250);
    expect(executor.runs.map((r) => r.feeds.x!.shape)).toEqual([
      [3, 2],
      [1, 3],
    ]);
    executor.finishAll();
    const [result] = await Promise.all([wide, ...narrow]);
    expect(Array.from(result.outputs.x_out!.data as Float32Array)).toEqual([18, 20, 22]);
  });

  it('sends ready sub-queues oldest head first when an instance frees up', async () => {
    const { executor, batcher } = setup({ maxBatchSize: 8 });
    const busy = batcher.submit({ inputs: request(0) });
    const wide = batcher.submit({ inputs: request(1, 1, 3) });
    const narrow = batcher.submit({ inputs: request(2, 1, 2) });
    executor.runs[0]!.finish();
    await busy;
    await tick();
    expect(executor.runs[1]!.feeds.x!.shape).toEqual([1, 3]);
    executor.runs[1]!.finish();
    await wide;
    await tick();
    expect(executor.runs[2]!.feeds.x!.shape).toEqual([1, 2]);
    executor.finishAll();
    await narrow;
  });

  it('never runs more batches at once than the executor has instances', async () => {
    const { executor, batcher } = setup({ maxBatchSize: 1 }, 2);
    const all = Array.from({ length: 10 }, (_, i) => batcher.submit({ inputs: request(i) }));
    while (batcher.pending() > 0) {
      executor.finishAll();
      await tick();
    }
    await Promise.all(all);
    expect(executor.runs).toHaveLength(10);
    expect(executor.maxConcurrent).toBe(2);
  });

  it('runs each request alone when maxBatchSize is 0 (a model without a dynamic batch dim)', async () => {
    const { executor, batcher } = setup({ maxBatchSize: 0 });
    const all = [batcher.submit({ inputs: request(1, 2) }), batcher.submit({ inputs: request(2, 2) })];
    executor.runs[0]!.finish();
    await tick();
    executor.finishAll();
    const results = await Promise.all(all);
    expect(executor.runs.map((r) => r.feeds.x!.shape)).toEqual([
      [2, 2],
      [2, 2],
    ]);
    expect(results.map((r) => r.timing.batchSize)).toEqual([1, 1]);
  });

  it('fetches the union of requested outputs and gives each request its own subset', async () => {
    const { executor, batcher } = setup({ maxBatchSize: 8, maxQueueDelayMs: 60_000, preferredBatchSizes: [2] });
    const onlyX = batcher.submit({ inputs: request(1), outputs: ['x_out'] });
    const onlyN = batcher.submit({ inputs: request(2), outputs: ['n_out'] });
    expect(executor.runs[0]!.outputs?.sort()).toEqual(['n_out', 'x_out']);
    executor.finishAll();
    expect(Object.keys((await onlyX).outputs)).toEqual(['x_out']);
    expect(Object.keys((await onlyN).outputs)).toEqual(['n_out']);
  });
});

describe('batcher: refusals, timeouts and failures', () => {
  it('rejects a batch larger than maxBatchSize', async () => {
    const { batcher, requests } = setup({ maxBatchSize: 4 });
    const error = await expectOxvError(batcher.submit({ inputs: request(1, 5) }), 'ERR_BATCH_TOO_LARGE');
    expect(error.details).toMatchObject({ batchSize: 5, maxBatchSize: 4 });
    expect(requests).toMatchObject([{ ok: false, reason: 'ERR_BATCH_TOO_LARGE' }]);
  });

  it('rejects inputs that disagree on the batch dim', async () => {
    const { batcher } = setup({ maxBatchSize: 4 });
    const inputs = { ...request(1, 2), n: createTensor('int64', [3, 1], [1n, 2n, 3n]) };
    await expectOxvError(batcher.submit({ inputs }), 'ERR_INPUT_SHAPE', /batch dim/);
  });

  it('refuses requests beyond maxQueueSize with a Retry-After estimate', async () => {
    const { executor, batcher } = setup({ maxBatchSize: 2, maxQueueSize: 2 });
    const accepted = [batcher.submit({ inputs: request(0) })]; // running
    accepted.push(batcher.submit({ inputs: request(1) }), batcher.submit({ inputs: request(2) })); // queued
    const error = await expectOxvError(batcher.submit({ inputs: request(3) }), 'ERR_QUEUE_FULL');
    const retry = error.details?.retryAfterSeconds as number;
    expect(Number.isInteger(retry) && retry >= 1 && retry <= 60).toBe(true);
    while (batcher.pending() > 0) {
      executor.finishAll();
      await tick();
    }
    await Promise.all(accepted);
  });

  it('removes a timed-out request from its queue so it is never computed', async () => {
    const { executor, batcher, requests } = setup({ maxBatchSize: 8 });
    const running = batcher.submit({ inputs: request(0) });
    const late = batcher.submit({ inputs: request(1), timeoutMs: 30 });
    const error = await expectOxvError(late, 'ERR_TIMEOUT');
    expect(error.details).toMatchObject({ timeoutMs: 30 });
    expect(batcher.queued()).toBe(0);
    executor.runs[0]!.finish();
    await running;
    await tick();
    expect(executor.runs).toHaveLength(1);
    expect(requests.find((r) => !r.ok)?.reason).toBe('ERR_TIMEOUT');
  });

  it('answers a running request at its deadline and uses the config default when the request sets none', async () => {
    const { executor, batcher } = setup({ maxBatchSize: 8, timeoutMs: 30 });
    const running = batcher.submit({ inputs: request(0) });
    await expectOxvError(running, 'ERR_TIMEOUT');
    let idle = false;
    void batcher.whenIdle().then(() => (idle = true));
    await tick();
    // The batch itself still runs to the end: the session is never interrupted mid-run.
    expect(idle).toBe(false);
    executor.finishAll();
    await tick();
    expect(idle).toBe(true);
  });

  it('fails every request of a failed batch with ERR_INFERENCE and keeps serving', async () => {
    const { executor, batcher } = setup({ maxBatchSize: 8 });
    const first = batcher.submit({ inputs: request(0) });
    const batched = [1, 2].map((b) => batcher.submit({ inputs: request(b) }));
    executor.runs[0]!.finish();
    await first;
    await tick();
    executor.runs[1]!.fail(new Error('kernel exploded'));
    for (const p of batched) await expectOxvError(p, 'ERR_INFERENCE', /kernel exploded/);
    const after = batcher.submit({ inputs: request(3) });
    executor.finishAll();
    await expect(after).resolves.toBeDefined();
  });

  it('fails a batch whose output lost the batch dim instead of mis-splitting it', async () => {
    const executor = createFakeExecutor(1);
    executor.model = () => ({ x_out: createTensor('float32', [1, 2], [1, 2]) });
    const batcher = createBatcher({
      config: config({ maxBatchSize: 8, maxQueueDelayMs: 60_000, preferredBatchSizes: [2] }),
      executor,
    });
    const all = [batcher.submit({ inputs: request(1) }), batcher.submit({ inputs: request(2) })];
    executor.finishAll();
    for (const p of all) await expectOxvError(p, 'ERR_INFERENCE', /batch dim/);
  });

  it('close() rejects queued and running requests, refuses new ones, and whenIdle waits for the running batch', async () => {
    const { executor, batcher } = setup({ maxBatchSize: 8 });
    const running = batcher.submit({ inputs: request(0) });
    const queued = batcher.submit({ inputs: request(1) });
    batcher.close(new OxvError('ERR_SHUTTING_DOWN', 'bye'));
    await expectOxvError(running, 'ERR_SHUTTING_DOWN');
    await expectOxvError(queued, 'ERR_SHUTTING_DOWN');
    await expectOxvError(batcher.submit({ inputs: request(2) }), 'ERR_SHUTTING_DOWN');
    let idle = false;
    void batcher.whenIdle().then(() => (idle = true));
    await tick();
    expect(idle).toBe(false);
    executor.finishAll();
    await tick();
    expect(idle).toBe(true);
  });

  it('reports every request once and every batch once, with timings', async () => {
    const { executor, batcher, requests, batches } = setup({ maxBatchSize: 8 });
    const all = [0, 1, 2].map((b) => batcher.submit({ inputs: request(b) }));
    await expectOxvError(batcher.submit({ inputs: request(9, 9) }), 'ERR_BATCH_TOO_LARGE');
    while (batcher.pending() > 0) {
      executor.finishAll();
      await tick();
    }
    await Promise.all(all);
    expect(requests.filter((r) => r.ok)).toHaveLength(3);
    expect(requests.filter((r) => !r.ok)).toHaveLength(1);
    expect(batches.map((b) => b.size)).toEqual([1, 2]);
    for (const r of requests.filter((e) => e.ok)) {
      expect(r.totalMs).toBeGreaterThanOrEqual(r.queueMs);
      expect(r.computeMs).toBe(1);
    }
  });
});
