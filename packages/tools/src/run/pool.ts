import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { OxvError, type ErrorCode, type RunnerInfo, type Tensor } from '@oxidizedvision/runtime';

const WORKER = new URL('./worker.js', import.meta.url);

export interface InferencePool {
  readonly info: RunnerInfo;
  readonly workers: number;
  readonly threads: number;
  infer(feeds: Record<string, Tensor>): Promise<Record<string, Tensor>>;
  close(): Promise<void>;
}

interface Job {
  id: number;
  feeds: Record<string, Tensor>;
  resolve: (outputs: Record<string, Tensor>) => void;
  reject: (error: Error) => void;
}

type Reply = { id: number; outputs?: Record<string, Tensor>; error?: { code: string; message: string } };

/**
 * The thread budget: workers × intra-op threads never exceeds the cores, so sessions do not fight over
 * them. `run` is a throughput tool over independent images, so it prefers sessions to threads: one worker
 * per core up to 4 (each session holds its own copy of the model), the cores shared out among them.
 * Measured on the shared 2-core machine (docs/benchmarks.md): 2 workers × 1 thread ran the denoiser
 * 2–3× faster than 1 worker × 2 threads whenever other processes competed for the cores, because
 * onnxruntime's intra-op threads stall waiting for each other when one of them is descheduled.
 */
export function resolveThreadBudget(workers?: number, threads?: number): { workers: number; threads: number } {
  const cores = availableParallelism();
  const w = workers ?? Math.max(1, Math.min(4, cores));
  return { workers: w, threads: threads ?? Math.max(1, Math.floor(cores / w)) };
}

function spawn(onnx: string, threads: number): Promise<{ worker: Worker; info: RunnerInfo }> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(WORKER, { workerData: { onnx, threads } });
    worker.once('error', reject);
    worker.once(
      'message',
      (m: { ready: boolean; info?: RunnerInfo; error?: { code: string; message: string; hint?: string } }) => {
        worker.off('error', reject);
        if (m.ready) resolve({ worker, info: m.info! });
        else {
          void worker.terminate();
          reject(new OxvError(m.error!.code as ErrorCode, m.error!.message, { hint: m.error!.hint }));
        }
      },
    );
  });
}

/** Starts `workers` worker_threads, each with its own session of `onnx`, and dispatches to idle ones. */
export async function createInferencePool(
  onnx: string,
  options: { workers?: number; threads?: number } = {},
): Promise<InferencePool> {
  const budget = resolveThreadBudget(options.workers, options.threads);
  const started = await Promise.allSettled(Array.from({ length: budget.workers }, () => spawn(onnx, budget.threads)));
  const failed = started.find((s) => s.status === 'rejected');
  if (failed) {
    for (const s of started) if (s.status === 'fulfilled') void s.value.worker.terminate();
    throw failed.reason;
  }
  const workers = started.map((s) => (s as PromiseFulfilledResult<{ worker: Worker; info: RunnerInfo }>).value);
  const idle = workers.map((w) => w.worker);
  const queue: Job[] = [];
  const running = new Map<Worker, Job>();
  const alive = new Set(idle);
  let nextId = 0;

  const dispatch = (): void => {
    while (idle.length > 0 && queue.length > 0) {
      const worker = idle.pop()!;
      const job = queue.shift()!;
      running.set(worker, job);
      worker.postMessage(
        { id: job.id, feeds: job.feeds },
        Object.values(job.feeds).map((t) => t.data.buffer as ArrayBuffer),
      );
    }
  };
  for (const { worker } of workers) {
    worker.on('message', (reply: Reply) => {
      const job = running.get(worker)!;
      running.delete(worker);
      idle.push(worker);
      if (reply.error) job.reject(new OxvError(reply.error.code as ErrorCode, reply.error.message));
      else job.resolve(reply.outputs!);
      dispatch();
    });
    worker.on('error', (error) => {
      const crash = new OxvError('ERR_INFERENCE', `inference worker crashed: ${error.message}`, { cause: error });
      running.get(worker)?.reject(crash);
      running.delete(worker);
      alive.delete(worker);
      // With no worker left, queued jobs would wait forever: fail them now.
      if (alive.size === 0) for (const job of queue.splice(0)) job.reject(crash);
    });
  }
  return {
    info: workers[0]!.info,
    ...budget,
    infer: (feeds) =>
      new Promise((resolve, reject) => {
        if (alive.size === 0) return reject(new OxvError('ERR_INFERENCE', 'every inference worker has crashed'));
        queue.push({ id: nextId++, feeds, resolve, reject });
        dispatch();
      }),
    close: async () => {
      await Promise.all(workers.map((w) => w.worker.terminate()));
    },
  };
}
