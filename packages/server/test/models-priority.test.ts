import { readFileSync, readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createModelManager } from '../dist/models/index.js';
import { fixturePath } from './fixtures/helpers.js';

/** Nice value of every thread of this process, by thread id (proc(5): field 19 of /proc/<pid>/task/<tid>/stat). */
function threadNice(): Map<number, number> {
  const nice = new Map<number, number>();
  for (const tid of readdirSync('/proc/self/task')) {
    try {
      const stat = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
      nice.set(Number(tid), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[16]));
    } catch {
      // The thread ended between the listing and the read.
    }
  }
  return nice;
}

async function niceWhileServing(workerNice: number | undefined): Promise<{ added: number[]; main: number }> {
  const before = new Set(threadNice().keys());
  const manager = createModelManager({
    cores: 2,
    ...(workerNice === undefined ? {} : { workerNice }),
    models: [
      {
        name: 'conv',
        source: { kind: 'file', path: fixturePath('tiny_conv.onnx') },
        instances: { count: 1, threads: 2 },
      },
    ],
  });
  try {
    await manager.start();
    const now = threadNice();
    const added = [...now].filter(([tid]) => !before.has(tid)).map(([, nice]) => nice);
    return { added, main: now.get(process.pid)! };
  } finally {
    await manager.close();
  }
}

describe('inference thread priority (Linux)', () => {
  it('runs the worker and the onnxruntime threads it creates at nice 5 by default, the event loop at 0', async () => {
    const { added, main } = await niceWhileServing(undefined);
    expect(main).toBe(0);
    // The worker thread itself plus onnxruntime's second intra-op thread, at least.
    expect(added.filter((n) => n === 5).length).toBeGreaterThanOrEqual(2);
  });

  it('leaves every thread at the server priority with workerNice 0, and refuses values beyond 19', async () => {
    const { added } = await niceWhileServing(0);
    expect(added.length).toBeGreaterThan(0);
    expect(added.every((n) => n === 0)).toBe(true);
    expect(() => createModelManager({ workerNice: 20 })).toThrow(
      /options\.workerNice must be an integer from 0 to 19 \(got 20\)/,
    );
  });
});
