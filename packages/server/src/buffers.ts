import { constants, PerformanceObserver } from 'node:perf_hooks';
import type { Tensor } from '@oxidizedvision/runtime';

/**
 * Who owns the memory that tensors travel in, and how it crosses to the inference workers.
 *
 * Request-owned buffers: the body reader allocates one buffer per request body. A tensor that views such
 * a buffer is used in place and handed to an inference worker without copying it out first (the JSON
 * header and padding around it travel along, unread). Anything else (a caller's array, a slice of Node's
 * shared Buffer pool) is copied before it crosses threads, because sharing or transferring it would
 * expose memory that something else still uses.
 *
 * Large tensors live in SharedArrayBuffers. On a 256×256 image model each request carries ~0.8 MB in
 * and out. Every fresh ArrayBuffer, and every one transferred in from a worker, counts towards V8's
 * external-memory limit, which starts a full mark-compact of the main heap each time it is crossed:
 * measured, one every ~9 UNet requests, each taking 5–10 ms of the event loop plus concurrent marking
 * on the GC threads (docs/benchmarks.md). A SharedArrayBuffer's memory is not counted per isolate, and
 * posting one shares it rather than moving it, so request bodies and worker outputs above
 * SHARED_MIN_BYTES use them.
 *
 * Their memory is still freed only by garbage collection, and because V8 does not see it, it no longer
 * brings the next full collection closer: unreferenced shared buffers pile up until something else does.
 * So each thread hands out at most UNCOUNTED_BUDGET_BYTES of shared memory between two full collections
 * of its heap, counting what it allocates and what it receives; past that, large buffers are ordinary
 * ArrayBuffers again, which V8 counts, so the next full collection comes soon and frees the shared
 * buffers nobody references. The budget trades collections for memory (bench/server-memory.mjs,
 * docs/benchmarks.md).
 */
export const SHARED_MIN_BYTES = 64 * 1024;
export const UNCOUNTED_BUDGET_BYTES = 256 * 1024 * 1024;

let uncountedSinceFullGc = 0;
/** Bytes of every large buffer this thread allocated or received, shared or not, ever (idle-collection.ts). */
let largeBytesTotal = 0;
let gcWatch: PerformanceObserver | undefined;

/** Starts counting afresh at each full (mark-compact) collection of this thread's heap. */
function watchFullCollections(): void {
  if (gcWatch !== undefined) return;
  gcWatch = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      const detail = (entry as PerformanceEntry & { detail?: { kind?: number } }).detail;
      if (detail?.kind === constants.NODE_PERFORMANCE_GC_MAJOR) {
        uncountedSinceFullGc = 0;
      }
    }
  });
  gcWatch.observe({ entryTypes: ['gc'] });
}

/** Shared memory of `bytes` when this thread's budget allows, otherwise an ordinary ArrayBuffer. */
function allocateLarge(bytes: number): ArrayBufferLike {
  watchFullCollections();
  largeBytesTotal += bytes;
  if (uncountedSinceFullGc + bytes > UNCOUNTED_BUDGET_BYTES) return new ArrayBuffer(bytes);
  uncountedSinceFullGc += bytes;
  return new SharedArrayBuffer(bytes);
}

/**
 * Counts tensors this thread received (a worker's outputs, a batch's inputs): shared ones against its
 * budget, every large one, shared or transferred, as handled.
 */
export function countReceived(tensors: Iterable<Tensor>): void {
  watchFullCollections();
  for (const tensor of tensors) {
    const bytes = tensor.data.byteLength;
    if (isShared(tensor.data.buffer)) uncountedSinceFullGc += bytes;
    if (bytes >= SHARED_MIN_BYTES) largeBytesTotal += bytes;
  }
}

/** Large bytes (shared or not) this thread has handed out or received since it started; only grows. */
export function largeBytesHandled(): number {
  return largeBytesTotal;
}

/** Shared bytes handed out or received since this thread's last full collection (for tests). */
export function uncountedSharedBytes(): number {
  return uncountedSinceFullGc;
}

const exclusive = new WeakSet<ArrayBufferLike>();

export function markExclusive(buffer: ArrayBufferLike): void {
  exclusive.add(buffer);
}

export function isExclusive(buffer: ArrayBufferLike): boolean {
  return exclusive.has(buffer);
}

export function isShared(buffer: ArrayBufferLike): buffer is SharedArrayBuffer {
  return typeof SharedArrayBuffer !== 'undefined' && buffer instanceof SharedArrayBuffer;
}

/** Storage for one request body of `bytes` bytes, owned by that request. */
export function allocateRequestStorage(bytes: number): ArrayBufferLike {
  const storage = bytes >= SHARED_MIN_BYTES ? allocateLarge(bytes) : new ArrayBuffer(bytes);
  markExclusive(storage);
  return storage;
}

type TypedArrayCtor = new (buffer: ArrayBufferLike, byteOffset?: number, length?: number) => Tensor['data'];

/**
 * A copy of `data` in `storage` (from its start), as the same typed array type; a Buffer becomes a plain
 * Uint8Array, whose slice() copies where Buffer's would view.
 */
export function copyTensorData(data: Tensor['data'], storage: ArrayBufferLike): Tensor['data'] {
  const Ctor = (data instanceof Uint8Array ? Uint8Array : data.constructor) as TypedArrayCtor;
  const copy = new Ctor(storage, 0, data.length);
  (copy as unknown as { set(d: unknown): void }).set(data);
  return copy;
}

/**
 * A worker's output, moved into shared memory when large (one copy on the worker), so that receiving it
 * costs the main thread no external-memory accounting. Small tensors, and large ones past the budget,
 * are returned as they are (then transferred).
 */
export function toSharedTensor(tensor: Tensor): Tensor {
  const data = tensor.data;
  if (data.byteLength < SHARED_MIN_BYTES || isShared(data.buffer)) return tensor;
  const storage = allocateLarge(data.byteLength);
  if (!isShared(storage)) return tensor;
  markExclusive(storage);
  return { dtype: tensor.dtype, shape: [...tensor.shape], data: copyTensorData(data, storage) } as Tensor;
}

/**
 * onnxruntime-node refuses typed arrays over SharedArrayBuffers ("Invalid argument"), so a worker copies a
 * shared input into a private buffer before running. `scratch` keeps one buffer per input name across
 * runs: a worker runs one request at a time, so reusing it allocates nothing per request.
 */
export function toPrivateTensor(tensor: Tensor, name: string, scratch: Map<string, ArrayBuffer>): Tensor {
  const data = tensor.data;
  if (!isShared(data.buffer)) return tensor;
  let buffer = scratch.get(name);
  if (buffer === undefined || buffer.byteLength < data.byteLength) {
    buffer = new ArrayBuffer(data.byteLength);
    scratch.set(name, buffer);
  }
  return { dtype: tensor.dtype, shape: [...tensor.shape], data: copyTensorData(data, buffer) } as Tensor;
}
