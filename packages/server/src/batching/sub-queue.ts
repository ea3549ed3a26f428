import type { Tensor } from '@oxidizedvision/runtime';
import type { BatchingConfig } from './types.js';

/** What the batching policy needs to know about a waiting request. */
export interface QueuedRequest {
  readonly inputs: Record<string, Tensor>;
  readonly extent: number;
  readonly enqueuedAt: number;
}

/** Requests of one shape key, in arrival order, with the one delay timer that key needs. */
export interface SubQueue<T extends QueuedRequest> {
  readonly key: string;
  readonly items: T[];
  samples: number;
  timer: ReturnType<typeof setTimeout> | undefined;
  /** The head request's max_queue_delay has passed (set by the timer, cleared when the head changes). */
  due: boolean;
}

export function createSubQueue<T extends QueuedRequest>(key: string): SubQueue<T> {
  return { key, items: [], samples: 0, timer: undefined, due: false };
}

/**
 * Whether the queue should go out as soon as an instance is free: it is full, it can form a preferred
 * size, its head has waited max_queue_delay, or there is no delay to wait for. A model that does not batch
 * (maxBatchSize 0) sends every request alone, at once.
 */
export function isReady<T extends QueuedRequest>(queue: SubQueue<T>, config: BatchingConfig): boolean {
  if (queue.items.length === 0) return false;
  if (config.maxBatchSize === 0 || config.maxQueueDelayMs <= 0 || queue.due) return true;
  if (queue.samples >= config.maxBatchSize) return true;
  return preferredPrefix(queue.items, config) !== undefined;
}

/**
 * Removes and returns the next batch, in arrival order. Like Triton: the largest preferred size that a
 * prefix of the queue forms, otherwise the longest prefix that fits maxBatchSize. A request is never split
 * and never skipped, so arrival order within a shape is kept.
 */
export function takeBatch<T extends QueuedRequest>(queue: SubQueue<T>, config: BatchingConfig): T[] {
  const count =
    config.maxBatchSize === 0 ? 1 : (preferredPrefix(queue.items, config) ?? fittingPrefix(queue.items, config));
  const batch = queue.items.splice(0, Math.max(1, count));
  for (const item of batch) queue.samples -= item.extent;
  return batch;
}

/** Requests in the longest prefix whose samples fit maxBatchSize. */
function fittingPrefix(items: readonly QueuedRequest[], config: BatchingConfig): number {
  let samples = 0;
  let count = 0;
  for (const item of items) {
    if (samples + item.extent > config.maxBatchSize) break;
    samples += item.extent;
    count++;
  }
  return count;
}

/** Requests in the longest prefix whose samples equal a preferred batch size, if any. */
function preferredPrefix(items: readonly QueuedRequest[], config: BatchingConfig): number | undefined {
  if (config.preferredBatchSizes.length === 0) return undefined;
  let samples = 0;
  let count = 0;
  let best: number | undefined;
  for (const item of items) {
    if (samples + item.extent > config.maxBatchSize) break;
    samples += item.extent;
    count++;
    if (config.preferredBatchSizes.includes(samples)) best = count;
  }
  return best;
}
