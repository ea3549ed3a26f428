import { Worker } from 'node:worker_threads';
import type { Tensor } from '@oxidizedvision/runtime';
import { countReceived, isExclusive, isShared, markExclusive } from '../buffers.js';
import { NumberArray } from '../protocol/json/number-array.js';
import type { RequestedOutput } from '../protocol/infer-request.js';
import { forTransfer, fromWireError } from '../workers/transfer.js';
import { NUMBER_ARRAY_TAG, type JsonAnswer, type JsonJob } from './protocol.js';

/**
 * Worker threads for large JSON tensors. Parsing a 3×256×256 float tensor from JSON and printing one back
 * costs the event loop ~10 ms each (bench/json-codec.mjs); done there, one request's text holds every
 * other request and probe behind it, and all requests' text work queues on one core. Bodies and
 * responses of at least `minBytes` go to the pool instead (the body already lives in shared memory, so
 * handing it over copies nothing; parsed typed arrays and printed text are transferred back). Smaller
 * ones stay on the event loop, where a round trip to a thread would cost more than the work.
 */
export interface JsonPool {
  /** Jobs answered by the threads so far (parses and prints). */
  readonly answered: number;
  /** Whether a body or response of `bytes` bytes goes to the pool. */
  wants(bytes: number): boolean;
  parse(bytes: Uint8Array, what: string): Promise<unknown>;
  encode(job: EncodeJob): Promise<Uint8Array>;
  close(): Promise<void>;
}

export interface EncodeJob {
  modelName: string;
  modelVersion: string;
  outputs: Record<string, Tensor>;
  requestId: string | undefined;
  requested: RequestedOutput[];
}

export interface JsonPoolOptions {
  /** Worker threads; 0 keeps all JSON work on the event loop. */
  threads: number;
  /** Bodies and outputs from this size go to the pool. */
  minBytes: number;
}

export const DEFAULT_JSON_MIN_BYTES = 256 * 1024;

interface Pending {
  thread: Thread;
  resolve(value: unknown): void;
  reject(error: Error): void;
}

interface Thread {
  worker: Worker;
  busy: number;
  online: boolean;
}

/** The NumberArrays the worker sent as tagged objects, as NumberArrays again (in place). */
function untag(value: unknown): unknown {
  if (typeof value !== 'object' || value === null) return value;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const v: unknown = value[i];
      if (typeof v === 'object' && v !== null) value[i] = untag(v);
    }
    return value;
  }
  const record = value as Record<string, unknown>;
  if (record[NUMBER_ARRAY_TAG] === true) {
    const { values, firstBoolean, firstNumber, longIntegers } = record as unknown as NumberArray;
    // Shared memory the worker made for this request alone: this thread may hand it on without a copy.
    if (isShared(values.buffer)) {
      markExclusive(values.buffer);
      countReceived([{ dtype: 'float32', shape: [values.length], data: values } as Tensor]);
    }
    return new NumberArray(values, firstBoolean, firstNumber, longIntegers);
  }
  for (const key of Object.keys(record)) record[key] = untag(record[key]);
  return record;
}

export function createJsonPool(options: JsonPoolOptions): JsonPool {
  // The built script, from src/ (tests) as from dist/: both folders sit side by side in the package.
  const url = new URL('../../dist/json-workers/json-worker.js', import.meta.url);
  const pending = new Map<number, Pending>();
  let threads: Thread[] | undefined;
  let nextId = 1;
  let answered = 0;
  let broken = false;
  let closed = false;

  function spawn(): Thread {
    const thread: Thread = { worker: new Worker(url), busy: 0, online: false };
    thread.worker.unref();
    thread.worker.once('online', () => (thread.online = true));
    thread.worker.on('message', (answer: JsonAnswer) => {
      thread.busy--;
      answered++;
      const job = pending.get(answer.id);
      pending.delete(answer.id);
      if (job === undefined) return;
      // The parser's refusals carry their own code (ERR_BAD_REQUEST…); anything else is the server's fault.
      if (answer.type === 'failed') job.reject(fromWireError(answer.error, 'ERR_INFERENCE'));
      else job.resolve(answer.type === 'parsed' ? untag(answer.value) : answer.bytes);
    });
    thread.worker.on('error', (error) => {
      // A worker that died takes its own jobs with it (500s, not hangs); a fresh one takes its place.
      for (const [id, job] of pending) {
        if (job.thread !== thread) continue;
        pending.delete(id);
        job.reject(new Error(`JSON worker failed: ${error.message}`));
      }
      // One that never started (its script missing from a bundle) would fail again at once: JSON then
      // stays on the event loop rather than respawning in a loop.
      if (!thread.online) broken = true;
      const i = threads?.indexOf(thread) ?? -1;
      if (i >= 0 && !closed && !broken) threads![i] = spawn();
    });
    return thread;
  }

  // Started on the first large request: a server that never sees one never pays for the threads.
  const start = (): Thread[] => (threads ??= Array.from({ length: options.threads }, spawn));

  function submit<T>(job: JsonJob, transfer: ArrayBuffer[]): Promise<T> {
    if (closed) return Promise.reject(new Error('the JSON worker pool is closed'));
    const pool = start();
    let thread = pool[0]!;
    for (const t of pool) if (t.busy < thread.busy) thread = t;
    thread.busy++;
    return new Promise<T>((resolve, reject) => {
      pending.set(job.id, { thread, resolve: resolve as (value: unknown) => void, reject });
      thread.worker.postMessage(job, transfer);
    });
  }

  return {
    get answered() {
      return answered;
    },
    wants: (bytes) => options.threads > 0 && !broken && bytes >= options.minBytes,
    parse(bytes, what) {
      // A body this request owns in an ordinary buffer moves; a shared one is shared: no copy either way.
      const transfer = !isShared(bytes.buffer) && isExclusive(bytes.buffer) ? [bytes.buffer as ArrayBuffer] : [];
      return submit({ type: 'parse', id: nextId++, bytes, what }, transfer);
    },
    encode(job) {
      // As for the inference workers: shared outputs are shared, owned ones move, others are copied once.
      const { tensors, transfer } = forTransfer(job.outputs);
      return submit({ type: 'encode', id: nextId++, ...job, outputs: tensors }, transfer);
    },
    async close() {
      closed = true;
      const running = threads ?? [];
      threads = undefined;
      await Promise.all(running.map(({ worker }) => worker.terminate()));
    },
  };
}
