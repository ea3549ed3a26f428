import { OxvError, type Tensor } from '@oxidizedvision/runtime';
import { asInferenceError, batchParts, fetchesFor, pick, splitOutputs } from './batch-io.js';
import { batchExtent, subQueueKey } from './shape-key.js';
import { createQueueSet, type KeyedRequest } from './queue-set.js';
import type { BatchExecutor, BatchRequest, BatchResponse, BatchRun, BatcherHooks, BatchingConfig } from './types.js';

export interface BatcherOptions {
  config: BatchingConfig;
  executor: BatchExecutor;
  hooks?: BatcherHooks;
  /** Names the model in error messages, e.g. 'model "unet" version 2'. */
  label?: string;
}

/**
 * Dynamic batching for one model version. Requests are grouped by shape key into sub-queues; a sub-queue
 * becomes ready when full, when it forms a preferred size, or when its head has waited maxQueueDelayMs;
 * ready sub-queues go out (oldest head first) whenever the executor has an idle instance.
 */
export interface Batcher {
  /**
   * Queues one request. Rejects with ERR_INPUT_SHAPE (inputs disagree on dim 0), ERR_BATCH_TOO_LARGE,
   * ERR_QUEUE_FULL (details.retryAfterSeconds), ERR_TIMEOUT, ERR_INFERENCE, or the error given to close().
   */
  submit(request: BatchRequest): Promise<BatchResponse>;
  /** Requests waiting for a batch. */
  queued(): number;
  /** Requests waiting or in a running batch. */
  pending(): number;
  /** Starts ready batches on idle instances; the executor's owner calls it when an instance comes back. */
  pump(): void;
  /** Resolves once nothing is queued and no batch is running. */
  whenIdle(): Promise<void>;
  /** Rejects every queued and running request with `error`, and every later submit. */
  close(error: OxvError): void;
}

interface Pending extends KeyedRequest {
  readonly outputs: string[] | undefined;
  readonly tag: string | undefined;
  state: 'queued' | 'running' | 'settled';
  startedAt: number;
  timer: ReturnType<typeof setTimeout> | undefined;
  resolve(response: BatchResponse): void;
  reject(error: OxvError): void;
}

const now = (): number => performance.now();
const tagOf = (tag: string | undefined): { tag?: string } => (tag === undefined ? {} : { tag });

export function createBatcher(options: BatcherOptions): Batcher {
  const { config, executor, hooks = {} } = options;
  const label = options.label ?? 'model';
  const queue = createQueueSet<Pending>(config, () => pump());
  const running = new Set<Pending>();
  const idleWaiters: (() => void)[] = [];
  let runningBatches = 0;
  let avgBatchMs = 0;
  let closedWith: OxvError | undefined;

  function refuse(error: OxvError, samples: number, tag: string | undefined): Promise<never> {
    hooks.onRequest?.({
      ...tagOf(tag),
      ok: false,
      reason: error.code,
      queueMs: 0,
      computeMs: 0,
      totalMs: 0,
      inputMs: 0,
      outputMs: 0,
      samples,
    });
    return Promise.reject(error);
  }

  function submit(request: BatchRequest): Promise<BatchResponse> {
    if (closedWith !== undefined) return refuse(closedWith, 0, request.tag);
    const batching = config.maxBatchSize > 0;
    let extent = 1;
    try {
      if (batching) extent = batchExtent(request.inputs);
    } catch (error) {
      return refuse(error as OxvError, 0, request.tag);
    }
    if (batching && extent > config.maxBatchSize) {
      return refuse(
        new OxvError(
          'ERR_BATCH_TOO_LARGE',
          `${label}: the request's batch is ${extent}, but max_batch_size is ${config.maxBatchSize}`,
          { details: { batchSize: extent, maxBatchSize: config.maxBatchSize } },
        ),
        extent,
        request.tag,
      );
    }
    if (config.maxQueueSize > 0 && queue.count >= config.maxQueueSize) {
      const retryAfterSeconds = estimateRetryAfter();
      return refuse(
        new OxvError(
          'ERR_QUEUE_FULL',
          `${label}: the queue is full (${config.maxQueueSize} requests waiting); retry in ${retryAfterSeconds} s`,
          { details: { maxQueueSize: config.maxQueueSize, retryAfterSeconds } },
        ),
        extent,
        request.tag,
      );
    }
    return new Promise<BatchResponse>((resolve, reject) => {
      // Models that do not batch keep one FIFO queue: their requests never join, so shapes do not matter.
      const key = batching ? subQueueKey(request.inputs) : '';
      const pending: Pending = {
        inputs: request.inputs,
        outputs: request.outputs,
        tag: request.tag,
        extent,
        key,
        enqueuedAt: now(),
        state: 'queued',
        startedAt: 0,
        timer: undefined,
        resolve,
        reject,
      };
      const timeoutMs = request.timeoutMs !== undefined && request.timeoutMs > 0 ? request.timeoutMs : config.timeoutMs;
      if (timeoutMs > 0) {
        pending.timer = setTimeout(() => expire(pending, timeoutMs), timeoutMs);
        pending.timer.unref();
      }
      queue.add(pending);
      pump();
    });
  }

  function pump(): void {
    while (executor.idle() > 0) {
      const batch = queue.takeReady();
      if (batch === undefined) return;
      dispatch(batch);
    }
  }

  function dispatch(batch: Pending[]): void {
    const startedAt = now();
    let samples = 0;
    for (const p of batch) {
      p.state = 'running';
      p.startedAt = startedAt;
      samples += p.extent;
      running.add(p);
    }
    runningBatches++;
    const size = config.maxBatchSize === 0 ? 1 : samples;
    let run: Promise<BatchRun>;
    try {
      run = executor.run(batchParts(batch), fetchesFor(batch));
    } catch (error) {
      run = Promise.reject(error);
    }
    run
      .then(
        (result) => complete(batch, result, size, result.inputMs),
        (error: unknown) => failBatch(batch, asInferenceError(error), size, 0, 0),
      )
      .finally(() => {
        runningBatches--;
        for (const p of batch) running.delete(p);
        pump();
        notifyIfIdle();
      });
  }

  function complete(batch: Pending[], result: BatchRun, size: number, inputMs: number): void {
    const splitStart = now();
    let perRequest: Record<string, Tensor>[];
    try {
      perRequest = splitOutputs(batch, result.outputs);
    } catch (error) {
      failBatch(batch, asInferenceError(error), size, inputMs, result.computeMs);
      return;
    }
    const outputMs = now() - splitStart;
    avgBatchMs = avgBatchMs === 0 ? result.computeMs : 0.8 * avgBatchMs + 0.2 * result.computeMs;
    hooks.onBatch?.({ ok: true, size, requests: batch.length, computeMs: result.computeMs, inputMs, outputMs });
    batch.forEach((p, i) => {
      if (p.state === 'settled') return;
      settle(p);
      const timing = {
        queueMs: p.startedAt - p.enqueuedAt,
        computeMs: result.computeMs,
        totalMs: now() - p.enqueuedAt,
      };
      hooks.onRequest?.({ ok: true, ...timing, inputMs, outputMs, samples: p.extent, ...tagOf(p.tag) });
      p.resolve({ outputs: pick(perRequest[i]!, p.outputs), timing: { ...timing, batchSize: size } });
    });
  }

  function failBatch(batch: Pending[], error: OxvError, size: number, inputMs: number, computeMs: number): void {
    hooks.onBatch?.({ ok: false, size, requests: batch.length, computeMs, inputMs, outputMs: 0 });
    for (const p of batch) fail(p, error, computeMs);
  }

  function settle(p: Pending): void {
    p.state = 'settled';
    if (p.timer !== undefined) clearTimeout(p.timer);
  }

  function fail(p: Pending, error: OxvError, computeMs = 0): void {
    if (p.state === 'settled') return;
    const end = now();
    const queueMs = (p.state === 'queued' ? end : p.startedAt) - p.enqueuedAt;
    settle(p);
    hooks.onRequest?.({
      ...tagOf(p.tag),
      ok: false,
      reason: error.code,
      queueMs,
      computeMs,
      totalMs: end - p.enqueuedAt,
      inputMs: 0,
      outputMs: 0,
      samples: p.extent,
    });
    p.reject(error);
  }

  /** A request past its deadline leaves its queue at once, so it is never computed; a running one is answered now. */
  function expire(p: Pending, timeoutMs: number): void {
    if (p.state === 'queued') queue.remove(p);
    fail(
      p,
      new OxvError('ERR_TIMEOUT', `${label}: the request did not finish within ${timeoutMs} ms`, {
        details: { timeoutMs },
      }),
    );
    pump();
    notifyIfIdle();
  }

  /** Seconds until the queue has likely room again: the queued batches at the recent batch time, spread over instances. */
  function estimateRetryAfter(): number {
    const batches = Math.ceil(queue.samples / Math.max(1, config.maxBatchSize));
    const ms = (batches * (avgBatchMs > 0 ? avgBatchMs : 1000)) / Math.max(1, executor.size());
    return Math.min(60, Math.max(1, Math.ceil(ms / 1000)));
  }

  function notifyIfIdle(): void {
    if (queue.count > 0 || runningBatches > 0) return;
    for (const wake of idleWaiters.splice(0)) wake();
  }

  return {
    submit,
    queued: () => queue.count,
    pending: () => queue.count + running.size,
    pump,
    whenIdle() {
      if (queue.count === 0 && runningBatches === 0) return Promise.resolve();
      return new Promise((resolve) => idleWaiters.push(resolve));
    },
    close(error) {
      closedWith ??= error;
      for (const p of queue.clear()) fail(p, error);
      // Running batches finish (or fail) on their own; only their callers are answered now.
      for (const p of running) fail(p, error);
      notifyIfIdle();
    },
  };
}
