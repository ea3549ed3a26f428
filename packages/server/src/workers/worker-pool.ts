import { OxvError, type RunnerInfo } from '@oxidizedvision/runtime';
import type { BatchExecutor } from '../batching/types.js';
import type { WorkerInit } from './protocol.js';
import { spawnWorker, type WorkerInstance } from './worker-instance.js';

export interface WorkerPoolOptions {
  url: URL;
  init: WorkerInit;
  count: number;
  /** An instance came back after a crash: the batcher may start another batch. */
  onCapacity: () => void;
  onLog: (level: 'info' | 'warn' | 'error', msg: string) => void;
}

/** The instances of one loaded model version; the batcher's executor. */
export interface WorkerPool extends BatchExecutor {
  readonly info: RunnerInfo;
  /** Slowest instance's warm-up, for the load log. */
  readonly warmupMs: number;
  /** Terminates every worker; runs still in flight fail with `error`. Idempotent. */
  close(error: OxvError): Promise<void>;
}

const RESPAWN_FIRST_DELAY_MS = 250;
const RESPAWN_MAX_DELAY_MS = 30_000;

/**
 * Starts `count` workers in parallel and resolves when all are warm; if one fails the others are stopped
 * and the load fails with that worker's error. A worker that crashes later is replaced (with backoff while
 * replacements keep failing); until then the pool simply has one instance fewer.
 */
export async function createWorkerPool(options: WorkerPoolOptions): Promise<WorkerPool> {
  const { init } = options;
  const instances: WorkerInstance[] = [];
  const respawnTimers = new Set<ReturnType<typeof setTimeout>>();
  // Replacements still starting: close() waits for them so that no thread outlives the pool.
  const spawning = new Set<Promise<unknown>>();
  let closedWith: OxvError | undefined;

  function spawnTracked(): Promise<WorkerInstance> {
    const starting = spawnWorker({ url: options.url, init, onCrash: (error) => replace(created, error) });
    let created: WorkerInstance;
    const tracked = starting.then(async (w) => {
      if (closedWith !== undefined) {
        await w.terminate(closedWith);
        throw closedWith;
      }
      return (created = w);
    });
    const settled = tracked.catch(() => undefined);
    spawning.add(settled);
    void settled.then(() => spawning.delete(settled));
    return tracked;
  }

  function replace(dead: WorkerInstance, error: OxvError): void {
    const index = instances.indexOf(dead);
    if (index >= 0) instances.splice(index, 1);
    if (closedWith !== undefined) return;
    options.onLog('error', error.message);
    respawn(RESPAWN_FIRST_DELAY_MS);
  }

  function respawn(delayMs: number): void {
    const timer = setTimeout(() => {
      respawnTimers.delete(timer);
      spawnTracked().then(
        (fresh) => {
          instances.push(fresh);
          options.onLog('info', `${init.label}: replacement worker ready`);
          options.onCapacity();
        },
        (error: unknown) => {
          if (closedWith !== undefined) return;
          const next = Math.min(RESPAWN_MAX_DELAY_MS, delayMs * 2);
          options.onLog(
            'error',
            `${init.label}: replacement worker failed (${(error as Error).message}); retrying in ${next} ms`,
          );
          respawn(next);
        },
      );
    }, delayMs);
    respawnTimers.add(timer);
  }

  const started = await Promise.allSettled(Array.from({ length: options.count }, () => spawnTracked()));
  for (const result of started) if (result.status === 'fulfilled') instances.push(result.value);
  const failure = started.find((result): result is PromiseRejectedResult => result.status === 'rejected');
  if (failure !== undefined) {
    const error = failure.reason as OxvError;
    closedWith = error;
    await Promise.all(instances.map((w) => w.terminate(error)));
    throw error;
  }
  const info = instances[0]!.info;

  return {
    info,
    warmupMs: Math.max(...instances.map((w) => w.warmupMs)),
    size: () => options.count,
    idle: () => instances.filter((w) => w.isIdle()).length,
    run(parts, outputs) {
      let chosen: WorkerInstance | undefined;
      for (const w of instances) {
        if (w.isIdle() && (chosen === undefined || w.busyMs() < chosen.busyMs())) chosen = w;
      }
      if (chosen === undefined) {
        return Promise.reject(new OxvError('ERR_INFERENCE', `${init.label}: no idle inference worker`));
      }
      return chosen.run(parts, outputs);
    },
    async close(error) {
      if (closedWith !== undefined && instances.length === 0) return;
      closedWith ??= error;
      for (const timer of respawnTimers) clearTimeout(timer);
      respawnTimers.clear();
      await Promise.all(instances.splice(0).map((w) => w.terminate(error)));
      // A replacement that finishes starting now sees closedWith and terminates itself (spawnTracked).
      await Promise.all([...spawning]);
    },
  };
}
