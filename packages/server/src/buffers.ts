/**
 * ArrayBuffers that belong to exactly one request: the body reader allocates one per request body. A
 * tensor that views such a buffer may be handed to an inference worker by transferring the whole buffer
 * (the JSON header and padding around it travel along, unread) instead of copying the tensor out first.
 * Anything else (a caller's array, a slice of Node's shared Buffer pool) is copied before it crosses
 * threads, because transferring it would detach memory that something else still uses.
 *
 * Why it matters: on a 256×256 image model each request carries ~0.8 MB in and out, and every fresh
 * ArrayBuffer counts towards V8's external-memory limit, which starts a full mark-compact of the main
 * heap each time it is crossed (measured: one every ~6 UNet requests before this, each pausing the event
 * loop for up to 20 ms; docs/benchmarks.md).
 */
const exclusive = new WeakSet<ArrayBufferLike>();

export function markExclusive(buffer: ArrayBufferLike): void {
  exclusive.add(buffer);
}

export function isExclusive(buffer: ArrayBufferLike): boolean {
  return exclusive.has(buffer);
}
