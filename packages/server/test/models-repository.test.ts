import { copyFile, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createTensor } from '@oxidizedvision/runtime';
import { createModelManager, type ModelManagerOptions } from '../dist/models/index.js';
import { expectOxvError, fixturePath, recordEvents, slowInput, withTempDir } from './fixtures/helpers.js';

/** Places `fixture` at `<repo>/<name>/<version>/model.onnx`. */
async function addVersion(repo: string, name: string, version: string, fixture: string): Promise<void> {
  await mkdir(join(repo, name, version), { recursive: true });
  await copyFile(fixturePath(fixture), join(repo, name, version, 'model.onnx'));
}

async function withManager(
  repo: string,
  options: Partial<NonNullable<ModelManagerOptions['repository']>>,
  fn: (manager: ReturnType<typeof createModelManager>) => Promise<void>,
  extra: Partial<ModelManagerOptions> = {},
): Promise<void> {
  const manager = createModelManager({ cores: 2, repository: { dir: repo, ...options }, ...extra });
  try {
    await fn(manager);
  } finally {
    await manager.close();
  }
}

/** slow.onnx doubles its input, slow_v2.onnx triples it: the output tells which version answered. */
const factorOf = async (manager: ReturnType<typeof createModelManager>, version?: string) =>
  (await manager.infer('scale', version, { inputs: slowInput(1) })).outputs.y!.data[0];

describe('model repository', () => {
  it('serves the highest version by default and keeps only it loaded (latest 1)', async () => {
    await withTempDir(async (repo) => {
      await addVersion(repo, 'scale', '1', 'slow.onnx');
      await addVersion(repo, 'scale', '2', 'slow_v2.onnx');
      await addVersion(repo, 'scale', '03', 'slow.onnx'); // not a Triton version folder: ignored
      await withManager(repo, {}, async (manager) => {
        await manager.start();
        expect(manager.list()).toEqual([
          { name: 'scale', version: '1', state: 'UNAVAILABLE', reason: 'not loaded' },
          { name: 'scale', version: '2', state: 'READY' },
        ]);
        expect(await factorOf(manager)).toBe(3);
        expect(await factorOf(manager, '2')).toBe(3);
        await expectOxvError(manager.infer('scale', '1', { inputs: slowInput(1) }), 'ERR_MODEL_NOT_READY');
        await expectOxvError(manager.infer('scale', '3', { inputs: slowInput(1) }), 'ERR_MODEL_NOT_FOUND');
        expect(manager.metadata('scale')).toMatchObject({ version: '2', versions: ['2'], state: 'READY' });
        expect(manager.metadata('scale', '1')).toMatchObject({ version: '1', state: 'UNAVAILABLE', inputs: [] });
        expect(manager.isReady()).toBe(true);
      });
    });
  });

  it('loads every version with version_policy all, each addressable, and applies config.json', async () => {
    await withTempDir(async (repo) => {
      await addVersion(repo, 'scale', '1', 'slow.onnx');
      await addVersion(repo, 'scale', '2', 'slow_v2.onnx');
      await writeFile(
        join(repo, 'scale', 'config.json'),
        JSON.stringify({
          max_batch_size: 2,
          dynamic_batching: { max_queue_delay_ms: 1, max_queue_size: 10 },
          instances: { count: 2 },
          version_policy: { all: {} },
        }),
      );
      await withManager(repo, { defaults: { batching: { maxBatchSize: 16 } } }, async (manager) => {
        await manager.start();
        expect(manager.list().map((s) => [s.version, s.state])).toEqual([
          ['1', 'READY'],
          ['2', 'READY'],
        ]);
        expect(await factorOf(manager, '1')).toBe(2);
        expect(await factorOf(manager, '2')).toBe(3);
        expect(await factorOf(manager)).toBe(3);
        const meta = manager.metadata('scale', '1');
        expect(meta.versions).toEqual(['1', '2']);
        expect(meta.batching).toMatchObject({ maxBatchSize: 2, maxQueueDelayMs: 1, maxQueueSize: 10 });
        // Four instances in all (2 per version) share 2 cores: one thread each.
        expect(meta.instances).toEqual({ count: 2, threads: 1 });
        await expectOxvError(manager.infer('scale', '1', { inputs: slowInput(1, 3) }), 'ERR_BATCH_TOO_LARGE');
      });
    });
  });

  it('fails a model with an invalid config.json with a clear reason, and loads the others', async () => {
    await withTempDir(async (repo) => {
      await addVersion(repo, 'good', '1', 'tiny_conv.onnx');
      await addVersion(repo, 'bad', '1', 'tiny_conv.onnx');
      await writeFile(join(repo, 'bad', 'config.json'), '{"max_batch_size": "eight"}');
      await withManager(repo, {}, async (manager) => {
        const events = recordEvents(manager);
        await manager.start();
        const bad = manager.list().find((s) => s.name === 'bad');
        expect(bad).toMatchObject({ state: 'UNAVAILABLE' });
        expect(bad?.reason).toMatch(/config\.json: max_batch_size must be an integer/);
        expect(manager.list().find((s) => s.name === 'good')?.state).toBe('READY');
        expect(events.logs.some((l) => l.level === 'error' && l.model === 'bad' && /max_batch_size/.test(l.msg))).toBe(
          true,
        );
      });
    });
  });

  it('reads model.card.json beside a version and uses its example shapes for warm-up', async () => {
    await withTempDir(async (repo) => {
      await addVersion(repo, 'pair', '1', 'two_inputs.onnx');
      const card = {
        card_version: 1,
        name: 'pair',
        task: 'test',
        labels: ['a', 'b'],
        inputs: [],
        outputs: [],
        example_inputs: [
          { name: 'image', shape: [2, 3, 5, 7], dtype: 'float32' },
          { name: 'ids', shape: [2, 2], dtype: 'int64' },
        ],
        onnx: {
          file: 'model.onnx',
          sha256: '',
          bytes: 0,
          opset: 13,
          exporter: 'test',
          external_data: [],
          dynamic_axes: [],
        },
      };
      await writeFile(join(repo, 'pair', '1', 'model.card.json'), JSON.stringify(card));
      await withManager(repo, {}, async (manager) => {
        await manager.start();
        expect(manager.metadata('pair').card).toMatchObject({ name: 'pair', labels: ['a', 'b'] });
      });
      // Warm-up runs at the card's example shapes: a shape the model rejects fails the load.
      card.example_inputs[0]!.shape = [2, 3, 5];
      await writeFile(join(repo, 'pair', '1', 'model.card.json'), JSON.stringify(card));
      await withManager(repo, {}, async (manager) => {
        await manager.start();
        expect(manager.list()[0]?.reason).toMatch(/warm-up inference failed: .*rank 3/);
      });
      // A card that does not parse fails the load: its preprocessing cannot be trusted.
      await writeFile(join(repo, 'pair', '1', 'model.card.json'), '{"card_version": 99}');
      await withManager(repo, {}, async (manager) => {
        await manager.start();
        expect(manager.list()[0]?.reason).toMatch(/Model card .* malformed/);
      });
    });
  });

  it('explicit mode loads nothing until load(), and load/unload work by name', async () => {
    await withTempDir(async (repo) => {
      await addVersion(repo, 'scale', '1', 'slow.onnx');
      await withManager(repo, { controlMode: 'explicit' }, async (manager) => {
        await manager.start();
        expect(manager.list()).toEqual([{ name: 'scale', version: '1', state: 'UNAVAILABLE', reason: 'not loaded' }]);
        expect(manager.isReady()).toBe(true);
        await expectOxvError(manager.infer('scale', undefined, { inputs: slowInput(1) }), 'ERR_MODEL_NOT_READY');
        await manager.load('scale');
        expect(await factorOf(manager)).toBe(2);
        await manager.unload('scale');
        expect(manager.list()).toEqual([
          { name: 'scale', version: '1', state: 'UNAVAILABLE', reason: 'unloaded by request' },
        ]);
        await expectOxvError(manager.infer('scale', undefined, { inputs: slowInput(1) }), 'ERR_MODEL_NOT_READY');
        // A model folder added after start becomes known on load().
        await addVersion(repo, 'late', '4', 'tiny_conv.onnx');
        await manager.load('late');
        const late = await manager.infer('late', undefined, { inputs: { x: createTensor('float32', [1, 3, 8, 8]) } });
        expect(late.modelVersion).toBe('4');
        await expectOxvError(manager.load('missing'), 'ERR_MODEL_NOT_FOUND');
        await expectOxvError(manager.unload('missing'), 'ERR_MODEL_NOT_FOUND');
      });
    });
  });

  it('load() reports a broken model with ERR_MODEL_LOAD', async () => {
    await withTempDir(async (repo) => {
      await mkdir(join(repo, 'junk', '1'), { recursive: true });
      await writeFile(join(repo, 'junk', '1', 'model.onnx'), 'garbage');
      await withManager(repo, { controlMode: 'explicit' }, async (manager) => {
        await manager.start();
        await expectOxvError(manager.load('junk'), 'ERR_MODEL_LOAD', /version 1: could not load model/);
      });
    });
  });

  it('refuses a missing repository and a name given twice', async () => {
    await withTempDir(async (repo) => {
      await withManager(join(repo, 'absent'), {}, async (manager) => {
        await expectOxvError(manager.start(), 'ERR_FILE_NOT_FOUND', /model repository not found/);
      });
      await addVersion(repo, 'conv', '1', 'tiny_conv.onnx');
      const spec = {
        name: 'conv',
        source: { kind: 'file' as const, path: fixturePath('tiny_conv.onnx') },
        batching: {} as never,
        instances: {} as never,
      };
      await withManager(
        repo,
        {},
        async (manager) => {
          await expectOxvError(manager.start(), 'ERR_CONFIG_INVALID', /also found in the repository/);
        },
        { models: [spec] },
      );
    });
  });
});
