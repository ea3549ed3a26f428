/**
 * Turns on the main thread for the image endpoint's synchronous work: preprocessing an upload (resize,
 * normalise) and post-processing the answer (denormalise, resize back, PNG encode), ~2 and ~5–10 ms a
 * 400×300 photo. A dynamic batch finishes many requests at once and their promise continuations would all
 * run in one go, blocking the event loop for the whole batch: with 16 clients uploading that photo,
 * `/v2/health/live` took 143–151 ms at p99 (max 243). Handing out one turn per event-loop iteration lets
 * the loop poll for I/O (health probes, new requests) between any two pieces: p99 21 ms (max 41), same
 * throughput (`bench/server-image-liveness.mjs`, docs/benchmarks.md).
 */
const waiting: (() => void)[] = [];
let scheduled = false;

/** Resolves when the caller may run its synchronous work: one caller per event-loop iteration, in order. */
export function mainThreadTurn(): Promise<void> {
  return new Promise((resolve) => {
    waiting.push(resolve);
    if (!scheduled) {
      scheduled = true;
      setImmediate(handOut);
    }
  });
}

function handOut(): void {
  // The resolved caller's continuation runs as a microtask right after this callback; an immediate queued
  // from inside an immediate waits for the next iteration, after timers and I/O.
  waiting.shift()!();
  if (waiting.length > 0) setImmediate(handOut);
  else scheduled = false;
}
