import { Worker } from 'node:worker_threads';
import { OxvError, type RunnerInfo, type Tensor } from '@oxidizedvision/runtime';
import type { BatchRun } from '../batching/types.js';
import { countReceived } from '../buffers.js';
import type { CloseMessage, RunMessage, WorkerInit, WorkerMessage } from './protocol.js';
import { fromWireError, partsForTransfer } from './transfer.js';

/** One worker thread owning one session, as the main thread sees it. */
export interface WorkerInstance {
  readonly info: RunnerInfo;
  readonly warmupMs: number;
  /** No run in flight. */
  isIdle(): boolean;
  /** Milliseconds spent running so far, to pick the least busy idle instance. */
  busyMs(): number;
  /** Runs one batch (parts per input, joined on the worker). Takes ownership of their buffers (transferred). */
  run(parts: Record<string, Tensor[]>, outputs: string[] | undefined): Promise<BatchRun>;
  /**
   * Ends the thread on purpose: refuses new runs with `error`, waits for the run in flight, then lets the
   * worker release its session and exit.
   */
  terminate(error: OxvError): Promise<void>;
}

export interface SpawnOptions {
  url: URL;
  init: WorkerInit;
  /** The thread died on its own (uncaught error, process.exit, native abort). Its in-flight run has already failed. */
  onCrash: (error: OxvError) => void;
}

interface PendingRun {
  resolve(run: BatchRun): void;
  reject(error: OxvError): void;
  started: number;
}

/** How long a worker gets to release its session before it is terminated outright. */
const CLOSE_GRACE_MS = 10_000;

/**
 * Starts a worker and resolves once its session is loaded and warmed up. Rejects with ERR_MODEL_LOAD (or
 * the worker's own code, e.g. ERR_FILE_NOT_FOUND) when the model cannot load or warm up.
 */
export function spawnWorker(options: SpawnOptions): Promise<WorkerInstance> {
  const { init } = options;
  const worker = new Worker(options.url, { workerData: init });
  let ready = false;
  let terminating: OxvError | undefined;
  let lastError: Error | undefined;
  let nextId = 1;
  let busy = 0;
  const inFlight = new Map<number, PendingRun>();
  const idleWaiters: (() => void)[] = [];
  let markExited!: () => void;
  const exited = new Promise<void>((resolve) => (markExited = resolve));

  /** Removes a finished run from the books and wakes terminate() once nothing is in flight. */
  const settle = (id: number): PendingRun | undefined => {
    const pending = inFlight.get(id);
    if (pending === undefined) return undefined;
    inFlight.delete(id);
    busy += performance.now() - pending.started;
    if (inFlight.size === 0) for (const wake of idleWaiters.splice(0)) wake();
    return pending;
  };

  return new Promise<WorkerInstance>((resolveStart, rejectStart) => {
    worker.on('error', (error) => (lastError = error));
    worker.on('exit', (code) => {
      markExited();
      const why = lastError?.message ?? `exit code ${code}`;
      if (!ready) {
        rejectStart(new OxvError('ERR_MODEL_LOAD', `${init.label}: the worker exited while loading (${why})`));
        return;
      }
      const error =
        terminating ??
        new OxvError('ERR_INFERENCE', `${init.label}: the inference worker crashed (${why}); it is being replaced`, {
          details: { exitCode: code },
        });
      for (const id of [...inFlight.keys()]) settle(id)!.reject(error);
      if (terminating === undefined) options.onCrash(error);
    });

    worker.on('message', (message: WorkerMessage) => {
      switch (message.type) {
        case 'ready':
          ready = true;
          resolveStart(instance(message.info, message.warmupMs));
          return;
        case 'init-error':
          // Nothing runs in the worker after a failed start, so ending it abruptly is safe.
          rejectStart(fromWireError(message.error, 'ERR_MODEL_LOAD'));
          void worker.terminate();
          return;
        case 'result':
          countReceived(Object.values(message.outputs));
          settle(message.id)?.resolve({
            outputs: message.outputs,
            computeMs: message.computeMs,
            inputMs: message.inputMs,
          });
          return;
        case 'run-error':
          settle(message.id)?.reject(fromWireError(message.error, 'ERR_INFERENCE'));
      }
    });
  });

  function instance(info: RunnerInfo, warmupMs: number): WorkerInstance {
    return {
      info,
      warmupMs,
      isIdle: () => inFlight.size === 0,
      busyMs: () => busy,
      run(batch, outputs) {
        if (terminating !== undefined) return Promise.reject(terminating);
        const id = nextId++;
        const { parts, transfer } = partsForTransfer(batch);
        return new Promise<BatchRun>((resolve, reject) => {
          inFlight.set(id, { resolve, reject, started: performance.now() });
          const message: RunMessage = { type: 'run', id, parts, outputs };
          worker.postMessage(message, transfer);
        });
      },
      async terminate(error) {
        terminating ??= error;
        // Terminating a thread while onnxruntime-node's native run is in flight aborts the whole process
        // ("terminate called after throwing an instance of 'Napi::Error'"), so the run finishes first.
        if (inFlight.size > 0) await new Promise<void>((resolve) => idleWaiters.push(resolve));
        worker.postMessage({ type: 'close' } satisfies CloseMessage);
        const grace = setTimeout(() => void worker.terminate(), CLOSE_GRACE_MS);
        await exited;
        clearTimeout(grace);
      },
    };
  }
}
