import type { BatchingConfig } from './types.js';
import { createSubQueue, isReady, takeBatch, type QueuedRequest, type SubQueue } from './sub-queue.js';

/** A queued request and the sub-queue (shape key) it waits in. */
export interface KeyedRequest extends QueuedRequest {
  readonly key: string;
}

/**
 * The waiting requests of one model version: one sub-queue per shape key, each with one delay timer for
 * its head (not one per request), and the totals that admission control needs.
 */
export interface QueueSet<T extends KeyedRequest> {
  /** Requests waiting. */
  readonly count: number;
  /** Samples waiting (a batch-k request counts k). */
  readonly samples: number;
  add(item: T): void;
  /** Removes a waiting request (timed out); false when it was not waiting. */
  remove(item: T): boolean;
  /** Removes and returns the next batch of the ready sub-queue whose head is oldest, if any is ready. */
  takeReady(): T[] | undefined;
  /** Removes and returns every waiting request. */
  clear(): T[];
}

const now = (): number => performance.now();

/** `onDue` runs when a head's max_queue_delay passes, so the owner can start the batch if an instance is free. */
export function createQueueSet<T extends KeyedRequest>(config: BatchingConfig, onDue: () => void): QueueSet<T> {
  const queues = new Map<string, SubQueue<T>>();
  let count = 0;
  let samples = 0;

  /** Later requests share the head's deadline, so only the head needs a timer. */
  function rearm(queue: SubQueue<T>): void {
    if (queue.timer !== undefined) clearTimeout(queue.timer);
    queue.timer = undefined;
    queue.due = false;
    const head = queue.items[0];
    if (head === undefined || config.maxBatchSize === 0 || config.maxQueueDelayMs <= 0) return;
    const wait = head.enqueuedAt + config.maxQueueDelayMs - now();
    if (wait <= 0) {
      queue.due = true;
      return;
    }
    queue.timer = setTimeout(() => {
      queue.timer = undefined;
      queue.due = true;
      onDue();
    }, wait);
    queue.timer.unref();
  }

  function drop(queue: SubQueue<T>): void {
    if (queue.timer !== undefined) clearTimeout(queue.timer);
    queues.delete(queue.key);
  }

  return {
    get count() {
      return count;
    },
    get samples() {
      return samples;
    },
    add(item) {
      let queue = queues.get(item.key);
      if (queue === undefined) queues.set(item.key, (queue = createSubQueue<T>(item.key)));
      queue.items.push(item);
      queue.samples += item.extent;
      count++;
      samples += item.extent;
      if (queue.items.length === 1) rearm(queue);
    },
    remove(item) {
      const queue = queues.get(item.key);
      const index = queue?.items.indexOf(item) ?? -1;
      if (queue === undefined || index < 0) return false;
      queue.items.splice(index, 1);
      queue.samples -= item.extent;
      count--;
      samples -= item.extent;
      if (queue.items.length === 0) drop(queue);
      else if (index === 0) rearm(queue);
      return true;
    },
    takeReady() {
      let next: SubQueue<T> | undefined;
      for (const queue of queues.values()) {
        if (!isReady(queue, config)) continue;
        if (next === undefined || queue.items[0]!.enqueuedAt < next.items[0]!.enqueuedAt) next = queue;
      }
      if (next === undefined) return undefined;
      const batch = takeBatch(next, config);
      count -= batch.length;
      for (const item of batch) samples -= item.extent;
      if (next.items.length === 0) drop(next);
      else rearm(next);
      return batch;
    },
    clear() {
      const all: T[] = [];
      for (const queue of queues.values()) {
        if (queue.timer !== undefined) clearTimeout(queue.timer);
        all.push(...queue.items);
      }
      queues.clear();
      count = 0;
      samples = 0;
      return all;
    },
  };
}
