import { describe, expect, it } from 'vitest';
import { mainThreadTurn } from '../src/turns.js';

const busy = (ms: number): void => {
  const end = performance.now() + ms;
  while (performance.now() < end);
};

describe('mainThreadTurn', () => {
  it('runs callers one per event-loop iteration, in order, with I/O and timers between them', async () => {
    const events: string[] = [];
    // Four requests finishing at once (one dynamic batch), each with 20 ms of synchronous work.
    const work = Array.from({ length: 4 }, async (_, i) => {
      await mainThreadTurn();
      events.push(`work ${i}`);
      busy(20);
    });
    // A health probe arriving meanwhile: without turns it would wait for all four (80 ms).
    const probe = new Promise<void>((resolve) =>
      setTimeout(() => {
        events.push('probe');
        resolve();
      }, 0),
    );
    await Promise.all([...work, probe]);
    expect(events.filter((e) => e.startsWith('work'))).toEqual(['work 0', 'work 1', 'work 2', 'work 3']);
    // The probe got in before the last two pieces of work.
    expect(events.indexOf('probe')).toBeLessThanOrEqual(2);
  });

  it('is ready again after the queue drains', async () => {
    await mainThreadTurn();
    await Promise.all([mainThreadTurn(), mainThreadTurn()]);
  });
});
