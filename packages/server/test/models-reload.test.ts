import { appendFile, copyFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createModelManager, type ModelManager } from '../dist/models/index.js';
import { fixturePath, recordEvents, slowInput, waitFor, withTempDir } from './fixtures/helpers.js';

const POLL_SECS = 0.2;
const CLIENTS = 3;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function addVersion(repo: string, version: string, fixture: string): Promise<string> {
  await mkdir(join(repo, 'scale', version), { recursive: true });
  const path = join(repo, 'scale', version, 'model.onnx');
  await copyFile(fixturePath(fixture), path);
  return path;
}

/**
 * Clients that keep calling the model until stopped. slow.onnx doubles and slow_v2.onnx triples, so each
 * answer's ratio shows which file computed it, next to the version the manager says answered.
 */
function startTraffic(manager: ModelManager, clients = CLIENTS) {
  const results: { version: string; ratio: number }[] = [];
  const failures: unknown[] = [];
  let running = true;
  const loops = Array.from({ length: clients }, async (_, client) => {
    for (let i = 1; running; i++) {
      const value = client * 100 + (i % 50) + 1;
      try {
        const r = await manager.infer('scale', undefined, { inputs: slowInput(value) });
        results.push({ version: r.modelVersion, ratio: (r.outputs.y!.data[0] as number) / value });
      } catch (error) {
        failures.push(error);
      }
    }
  });
  return {
    results,
    failures,
    async stop() {
      running = false;
      await Promise.all(loops);
    },
  };
}

async function withPollingManager(
  repo: string,
  fn: (m: ModelManager, events: ReturnType<typeof recordEvents>) => Promise<void>,
) {
  const manager = createModelManager({
    cores: 2,
    repository: { dir: repo, controlMode: 'poll', pollSecs: POLL_SECS, defaults: { batching: { maxBatchSize: 4 } } },
  });
  const events = recordEvents(manager);
  try {
    await manager.start();
    await fn(manager, events);
  } finally {
    await manager.close();
  }
}

describe('poll mode hot reload', () => {
  it('swaps in a new version folder under load without failing a request, even while it is still being written', async () => {
    await withTempDir(async (repo) => {
      await addVersion(repo, '1', 'slow.onnx');
      await withPollingManager(repo, async (manager, events) => {
        const traffic = startTraffic(manager);
        await waitFor(() => traffic.results.length >= 5, 'traffic on version 1');
        // A file still being written must not be loaded: it grows every 80 ms, so scans (every 200 ms) see
        // partial files, but the poller acts only once two scans in a row see the same stamp.
        const bytes = await readFile(fixturePath('slow_v2.onnx'));
        await mkdir(join(repo, 'scale', '2'));
        const path = join(repo, 'scale', '2', 'model.onnx');
        const chunk = Math.ceil(bytes.length / 6);
        await writeFile(path, bytes.subarray(0, chunk));
        for (let start = chunk; start < bytes.length; start += chunk) {
          await sleep(80);
          await appendFile(path, bytes.subarray(start, start + chunk));
        }
        await waitFor(
          () => manager.list().some((s) => s.version === '1' && s.state === 'UNAVAILABLE'),
          'version 1 drained',
        );
        const swappedAt = traffic.results.length;
        await waitFor(() => traffic.results.length >= swappedAt + 6, 'traffic on version 2');
        await traffic.stop();

        expect(traffic.failures).toEqual([]);
        for (const r of traffic.results) expect(r.ratio).toBe(r.version === '1' ? 2 : 3);
        expect(traffic.results.slice(swappedAt).every((r) => r.version === '2')).toBe(true);
        expect(events.logs.filter((l) => l.level === 'error')).toEqual([]);
        expect(manager.list()).toEqual([
          {
            name: 'scale',
            version: '1',
            state: 'UNAVAILABLE',
            reason: 'unloaded: the version policy keeps the latest 1',
          },
          { name: 'scale', version: '2', state: 'READY' },
        ]);
        const states = events.states.map((s) => `${s.version}:${s.state}`);
        expect(states).toEqual(expect.arrayContaining(['2:LOADING', '2:READY', '1:UNLOADING', '1:UNAVAILABLE']));
        expect(states.indexOf('2:READY')).toBeLessThan(states.indexOf('1:UNLOADING'));
      });
    });
  });

  it('reloads a model file changed in place under load; the old copy finishes what it accepted', async () => {
    await withTempDir(async (repo) => {
      const path = await addVersion(repo, '1', 'slow.onnx');
      await withPollingManager(repo, async (manager, events) => {
        const traffic = startTraffic(manager);
        await waitFor(() => traffic.results.length >= 5, 'traffic');
        await writeFile(path, await readFile(fixturePath('slow_v2.onnx')));
        await waitFor(() => traffic.results.at(-1)?.ratio === 3, 'answers from the new file');
        const swappedAt = traffic.results.length - 1;
        await waitFor(() => traffic.results.length >= swappedAt + 8, 'more traffic');
        await traffic.stop();
        expect(traffic.failures).toEqual([]);
        expect(traffic.results.every((r) => r.version === '1' && (r.ratio === 2 || r.ratio === 3))).toBe(true);
        // After the swap only requests the old copy had already accepted (one per client at most) finish on it.
        const lateOld = traffic.results.slice(swappedAt).filter((r) => r.ratio === 2);
        expect(lateOld.length).toBeLessThanOrEqual(CLIENTS - 1);
        expect(traffic.results.slice(-3).every((r) => r.ratio === 3)).toBe(true);
        expect(events.logs.some((l) => /reloaded; the previous copy drains/.test(l.msg))).toBe(true);
      });
    });
  });

  it('keeps the current version serving when a new file is corrupt or changes the inputs, and retries only on change', async () => {
    await withTempDir(async (repo) => {
      await addVersion(repo, '1', 'slow.onnx');
      await withPollingManager(repo, async (manager, events) => {
        const errorsFor = (version: string) => events.logs.filter((l) => l.level === 'error' && l.version === version);
        await mkdir(join(repo, 'scale', '2'));
        await writeFile(join(repo, 'scale', '2', 'model.onnx'), 'truncated garbage, not a protobuf');
        await waitFor(() => errorsFor('2').length === 1, 'the failed load of version 2');

        expect(manager.list()).toEqual([
          { name: 'scale', version: '1', state: 'READY' },
          { name: 'scale', version: '2', state: 'UNAVAILABLE', reason: expect.stringMatching(/could not load model/) },
        ]);
        expect(manager.metadata('scale')).toMatchObject({ version: '1', state: 'READY' });
        expect(manager.metadata('scale').lastLoadError).toMatch(/^version 2: could not load model/);
        const served = await manager.infer('scale', undefined, { inputs: slowInput(5) });
        expect([served.modelVersion, served.outputs.y!.data[0]]).toEqual(['1', 10]);

        // Unchanged, the broken file is not retried on later polls; changed again, it is.
        await sleep(POLL_SECS * 1000 * 4);
        expect(errorsFor('2')).toHaveLength(1);
        await writeFile(join(repo, 'scale', '2', 'model.onnx'), 'different garbage');
        await waitFor(() => errorsFor('2').length === 2, 'a retry after the file changed');

        // A well-formed model whose input names differ would break every client: refused the same way.
        await addVersion(repo, '3', 'slow_renamed.onnx');
        await waitFor(() => errorsFor('3').length === 1, 'the refused version 3');
        expect(manager.metadata('scale').lastLoadError).toMatch(
          /inputs \(input: float32\) differ from the served ones \(x: float32\)/,
        );
        expect((await manager.infer('scale', undefined, { inputs: slowInput(5) })).modelVersion).toBe('1');

        // A good newer version clears the error.
        await addVersion(repo, '4', 'slow_v2.onnx');
        await waitFor(() => manager.metadata('scale').version === '4', 'version 4 served');
        expect(manager.metadata('scale').lastLoadError).toBeNull();
        expect((await manager.infer('scale', undefined, { inputs: slowInput(5) })).outputs.y!.data[0]).toBe(15);
      });
    });
  });

  it('picks up a model folder added while polling', async () => {
    await withTempDir(async (repo) => {
      await addVersion(repo, '1', 'slow.onnx');
      await withPollingManager(repo, async (manager) => {
        await mkdir(join(repo, 'conv', '1'), { recursive: true });
        await copyFile(fixturePath('tiny_conv.onnx'), join(repo, 'conv', '1', 'model.onnx'));
        await waitFor(() => manager.list().some((s) => s.name === 'conv' && s.state === 'READY'), 'the new model');
        expect(manager.isReady()).toBe(true);
      });
    });
  });
});
