import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { largeBytesHandled } from './buffers.js';

/**
 * Garbage collection once a thread falls idle after large requests.
 *
 * A request body, a worker's output and the tensors between them are freed only by garbage collection,
 * and V8 collects only when something allocates. A server that answered a few 60 MB JSON requests and
 * then got no traffic kept them all, uncollected, for as long as it stayed quiet (bench/
 * server-memory-json.mjs: 155 MiB at rest, 530 MiB after the load, for good). So each thread (the event
 * loop and every inference worker) that has handed out or received IDLE_COLLECT_MIN_BYTES of large
 * buffers since its last idle collection runs one, IDLE_COLLECT_MS after its last request ended, if none
 * started in between. (Since its last idle collection, not its last collection of any kind: one that ran
 * during the load could not free the buffers the requests then still held.) On a heap of a few tens of MB that takes a few ms, only when idle, and
 * never under steady load (where V8's own collections keep up).
 *
 * It needs V8's `gc()`, which Node exposes only with --expose-gc: enableIdleCollection() sets that flag
 * at run time. That is a process-wide choice, so the library leaves it to whoever owns the process
 * (`oxidizedvision serve` makes it); workers started afterwards inherit it through their WorkerInit.
 */
export const IDLE_COLLECT_MS = 2000;
export const IDLE_COLLECT_MIN_BYTES = 32 * 1024 * 1024;

let collect: (() => void) | undefined;

export function enableIdleCollection(): void {
  if (collect !== undefined) return;
  setFlagsFromString('--expose-gc');
  // The flag applies to contexts created after it is set: a new one hands out the gc function.
  collect = runInNewContext('gc') as () => void;
}

export const isIdleCollectionEnabled = (): boolean => collect !== undefined;

export interface IdleCollector {
  /** Work started on this thread: a pending collection waits for the next idle moment. */
  busy(): void;
  /** Nothing is in flight on this thread any more. */
  idle(): void;
}

/** Schedules this thread's idle collection (a no-op until enableIdleCollection() ran in this thread). */
export function createIdleCollector(idleMs = IDLE_COLLECT_MS, minBytes = IDLE_COLLECT_MIN_BYTES): IdleCollector {
  let timer: NodeJS.Timeout | undefined;
  let collectedAt = largeBytesHandled();
  const cancel = (): void => {
    if (timer !== undefined) clearTimeout(timer);
    timer = undefined;
  };
  return {
    busy: cancel,
    idle() {
      cancel();
      if (collect === undefined || largeBytesHandled() - collectedAt < minBytes) return;
      timer = setTimeout(() => {
        timer = undefined;
        collectedAt = largeBytesHandled();
        collect?.();
      }, idleMs);
      timer.unref();
    },
  };
}
