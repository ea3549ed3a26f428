import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { OxvError, type ErrorCode, type RunnerInfo, type Tensor } from '@oxidizedvision/runtime';

const WORKER = new URL('./worker.js', import.meta.url);
/** Jobs in flight per worker: the one it runs and the next, already in its message queue. */
const DEPTH = 2;

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
  const queue: Job[] = [];
  // Jobs posted to each worker and not yet answered, in posting order (a worker answers in order).
  const posted = new Map<Worker, Job[]>(workers.map((w) => [w.worker, []]));
  let nextId = 0;

  // Each worker gets its next job while it still runs the current one, so it starts that job the moment
  // it finishes instead of waiting for the main thread (busy decoding or encoding) to see its reply.
  const dispatch = (): void => {
    while (queue.length > 0) {
      let target: Worker | undefined;
      for (const [worker, jobs] of posted)
        if (jobs.length < DEPTH && (!target || jobs.length < posted.get(target)!.length)) target = worker;
      if (!target) return;
      const job = queue.shift()!;
      posted.get(target)!.push(job);
      target.postMessage(
        { id: job.id, feeds: job.feeds },
        Object.values(job.feeds).map((t) => t.data.buffer as ArrayBuffer),
      );
    }
  };
  for (const { worker } of workers) {
    worker.on('message', (reply: Reply) => {
      const jobs = posted.get(worker)!;
      const job = jobs.splice(
        jobs.findIndex((j) => j.id === reply.id),
        1,
      )[0]!;
      if (reply.error) job.reject(new OxvError(reply.error.code as ErrorCode, reply.error.message));
      else job.resolve(reply.outputs!);
      dispatch();
    });
    worker.on('error', (error) => {
      const crash = new OxvError('ERR_INFERENCE', `inference worker crashed: ${error.message}`, { cause: error });
      for (const job of posted.get(worker) ?? []) job.reject(crash);
      posted.delete(worker);
      // With no worker left, queued jobs would wait forever: fail them now.
      if (posted.size === 0) for (const job of queue.splice(0)) job.reject(crash);
    });
  }
  return {
    info: workers[0]!.info,
    ...budget,
    infer: (feeds) =>
      new Promise((resolve, reject) => {
        if (posted.size === 0) return reject(new OxvError('ERR_INFERENCE', 'every inference worker has crashed'));
        queue.push({ id: nextId++, feeds, resolve, reject });
        dispatch();
      }),
    close: async () => {
      await Promise.all(workers.map((w) => w.worker.terminate()));
    },
  };
}
