import { constants, PerformanceObserver } from 'node:perf_hooks';
import { describe, expect, it } from 'vitest';
import { allocateRequestStorage, SHARED_MIN_BYTES } from '../src/buffers.js';
import { createIdleCollector, enableIdleCollection } from '../src/idle-collection.js';

/** Full (mark-compact) collections of this thread's heap seen while `during` runs. */
async function fullCollections(during: () => Promise<void>): Promise<number> {
  let count = 0;
  const observer = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      if (
        (entry as PerformanceEntry & { detail?: { kind?: number } }).detail?.kind ===
        constants.NODE_PERFORMANCE_GC_MAJOR
      )
        count++;
    }
  });
  observer.observe({ entryTypes: ['gc'] });
  await during();
  // GC entries are delivered asynchronously.
  await new Promise((resolve) => setTimeout(resolve, 50));
  observer.disconnect();
  return count;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const MIN = 4 * SHARED_MIN_BYTES;

describe('idle collection', () => {
  enableIdleCollection();

  it('collects once the thread has been idle, after large buffers, and only then', async () => {
    const collector = createIdleCollector(30, MIN);
    allocateRequestStorage(MIN);
    expect(await fullCollections(async () => (collector.idle(), await sleep(120)))).toBeGreaterThanOrEqual(1);
    // Nothing large since that collection: idle again schedules nothing.
    expect(await fullCollections(async () => (collector.idle(), await sleep(120)))).toBe(0);
  });

  it('waits while work goes on: busy() cancels a scheduled collection', async () => {
    const collector = createIdleCollector(60, MIN);
    allocateRequestStorage(MIN);
    const seen = await fullCollections(async () => {
      collector.idle();
      await sleep(20);
      collector.busy();
      await sleep(120);
    });
    expect(seen).toBe(0);
    // The bytes are still owed: the next idle moment collects them.
    expect(await fullCollections(async () => (collector.idle(), await sleep(150)))).toBeGreaterThanOrEqual(1);
  });

  it('ignores buffers below the threshold', async () => {
    const collector = createIdleCollector(20, MIN);
    allocateRequestStorage(MIN / 2);
    expect(await fullCollections(async () => (collector.idle(), await sleep(100)))).toBe(0);
  });
});
