/**
 * Turns on the main thread for synchronous per-request work that grows with the request: the image
 * endpoint's pre- and post-processing (resize, normalise; denormalise, resize back, PNG: a few ms for a
 * 400×300 photo) and JSON tensors' parsing and printing (~20 ms each way for 3×256×256 floats). A dynamic
 * batch finishes many requests at once, and their promise continuations would all run in one go, blocking
 * the event loop for the whole batch. Handing out one turn per event-loop iteration lets the loop poll for
 * I/O (health probes, new requests) between any two pieces. With 16 clients (`bench/server-liveness.mjs`,
 * docs/benchmarks.md), `/v2/health/live` p99 went from 143–151 to 21 ms under image uploads and from 769–774
 * to 47–48 ms under 256×256 JSON tensors, at the same throughput.
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
