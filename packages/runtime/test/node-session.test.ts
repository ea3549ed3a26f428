import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createTensor } from '@oxidizedvision/runtime';
import { createNodeSession, toNodeTensor } from '@oxidizedvision/runtime/node';
import { expectOxvError, fixturePath } from './helpers.js';

const dirs: string[] = [];
const tmp = (): string => {
  const dir = mkdtempSync(join(tmpdir(), 'oxv-node-session-'));
  dirs.push(dir);
  return dir;
};
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

const feeds = () => ({
  x: toNodeTensor(createTensor('float32', [1, 3, 4, 4])),
  n: toNodeTensor(createTensor('int64', [1, 2])),
});

describe('createNodeSession', () => {
  it('runs onnxruntime tensors with the thread options applied', async () => {
    const session = await createNodeSession(fixturePath('two_io.onnx'), { intraOpThreads: 1, interOpThreads: 1 });
    try {
      const out = await session.run(feeds());
      expect(out.y!.dims).toEqual([1, 3, 4, 4]);
      expect(Array.from(out.y!.data as Float32Array).every((v) => v === 1)).toBe(true);
    } finally {
      await session.release();
    }
  });

  it('writes a Chrome trace of every run when given a profile file prefix', async () => {
    const dir = tmp();
    const session = await createNodeSession(fixturePath('two_io.onnx'), { profileFilePrefix: join(dir, 'trace') });
    await session.run(feeds());
    session.endProfiling();
    await session.release();
    const traces = readdirSync(dir).filter((file) => file.startsWith('trace') && file.endsWith('.json'));
    expect(traces).toHaveLength(1);
    const events = JSON.parse(readFileSync(join(dir, traces[0]!), 'utf8')) as { cat?: string; name?: string }[];
    expect(events.some((e) => e.cat === 'Session' && e.name === 'model_run')).toBe(true);
  });

  it('writes the optimized graph to optimizedModelFilePath', async () => {
    const out = join(tmp(), 'optimized.onnx');
    const session = await createNodeSession(readFileSync(fixturePath('two_io.onnx')), {
      graphOptimizationLevel: 'basic',
      optimizedModelFilePath: out,
    });
    await session.release();
    expect(statSync(out).size).toBeGreaterThan(0);
  });

  it('reports a corrupt model as ERR_MODEL_LOAD and a missing one as ERR_FILE_NOT_FOUND', async () => {
    const error = await expectOxvError(
      createNodeSession(fixturePath('corrupt.onnx')),
      'ERR_MODEL_LOAD',
      /could not load model ".*corrupt\.onnx"/,
    );
    expect(error.cause).toBeInstanceOf(Error);
    await expectOxvError(createNodeSession(new Uint8Array(64).fill(7)), 'ERR_MODEL_LOAD', /from 64 bytes/);
    await expectOxvError(createNodeSession(join(tmp(), 'absent.onnx')), 'ERR_FILE_NOT_FOUND');
  });

  it('refuses the wasm provider and invalid options before loading anything', async () => {
    await expectOxvError(
      createNodeSession(fixturePath('two_io.onnx'), { executionProvider: 'wasm' }),
      'ERR_BACKEND_UNAVAILABLE',
      /belongs to onnxruntime-web/,
    );
    await expect(createNodeSession(fixturePath('two_io.onnx'), { profileFilePrefix: '' })).rejects.toThrow(
      new TypeError('options.profileFilePrefix must be a non-empty file path, got string'),
    );
    await expect(createNodeSession(fixturePath('two_io.onnx'), { intraOpThreads: 1.5 })).rejects.toThrow(RangeError);
  });
});
