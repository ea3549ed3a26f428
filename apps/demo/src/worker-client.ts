import { OxvError, type ErrorCode } from '@oxidizedvision/runtime';
import type {
  BackendRequest,
  LoadResult,
  RunResult,
  TrialProgress,
  TrialRequest,
  TrialResult,
  WorkerRequest,
  WorkerResponse,
} from './protocol.js';

type Pending = {
  resolve: (value: unknown) => void;
  reject: (error: Error) => void;
  onProgress?: (progress: TrialProgress) => void;
};

/** Promise wrapper over the inference worker; worker errors come back as OxvErrors with their code. */
export function createWorkerClient() {
  const worker = new Worker(new URL('./worker.ts', import.meta.url), { type: 'module' });
  const pending = new Map<number, Pending>();
  let nextId = 1;
  worker.onmessage = (event: MessageEvent<WorkerResponse>) => {
    const reply = event.data;
    const entry = pending.get(reply.id);
    if ('progress' in reply) {
      entry?.onProgress?.(reply.progress);
      return;
    }
    pending.delete(reply.id);
    if (!entry) return;
    if (reply.ok) entry.resolve(reply.result);
    else entry.reject(new OxvError(reply.error.code as ErrorCode, reply.error.message));
  };
  // A worker that dies (e.g. the wasm binary failed to load) would otherwise leave the page waiting forever.
  worker.onerror = (event) => {
    for (const entry of pending.values())
      entry.reject(new OxvError('ERR_BACKEND_UNAVAILABLE', event.message || 'the inference worker failed'));
    pending.clear();
  };
  const call = <T>(
    message: Omit<WorkerRequest, 'id'>,
    transfer: Transferable[] = [],
    onProgress?: (progress: TrialProgress) => void,
  ): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      const id = nextId++;
      pending.set(id, { resolve: resolve as (value: unknown) => void, reject, onProgress });
      worker.postMessage({ ...message, id }, transfer);
    });
  return {
    load: (model: Uint8Array, backend: BackendRequest, ortBase: string, threads?: number) =>
      call<LoadResult>({ type: 'load', model, backend, ortBase, threads } as Omit<WorkerRequest, 'id'>),
    run: (input: Float32Array, shape: number[], repeats: number, output?: string) =>
      call<RunResult>({ type: 'run', input, shape, repeats, output } as Omit<WorkerRequest, 'id'>),
    trial: (request: Omit<TrialRequest, 'id' | 'type'>, onProgress: (progress: TrialProgress) => void) =>
      call<TrialResult>({ type: 'trial', ...request } as Omit<WorkerRequest, 'id'>, [], onProgress),
  };
}

export type WorkerClient = ReturnType<typeof createWorkerClient>;
