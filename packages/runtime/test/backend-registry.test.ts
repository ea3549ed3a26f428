import { describe, expect, it } from 'vitest';
import {
  createRunner,
  getBackend,
  listBackends,
  registerBackend,
  type Backend,
  type ModelSource,
  type Runner,
  type RunnerOptions,
} from '@oxidizedvision/runtime';
import { expectOxvError } from './helpers.js';

interface Call {
  backend: string;
  source: ModelSource;
  options: RunnerOptions | undefined;
}

const calls: Call[] = [];

/** A backend that records create() calls and returns an inert runner. */
function fakeBackend(
  name: string,
  priority: number,
  availability: Awaited<ReturnType<Backend['isAvailable']>>,
): Backend {
  return {
    name,
    priority,
    isAvailable: async () => availability,
    create: async (source, options) => {
      calls.push({ backend: name, source, options });
      const runner: Runner = {
        backend: name,
        info: () => ({ backend: name, executionProviders: ['cpu'], inputs: [], outputs: [] }),
        run: async () => ({}),
        dispose: async () => undefined,
      };
      return runner;
    },
  };
}

// Tests run in order and share the module-level registry (fresh for this file), so the empty-registry case
// comes first.
describe('backend registry', () => {
  it('explains how to register a backend when none is registered', async () => {
    await expectOxvError(createRunner('model.onnx'), 'ERR_BACKEND_UNAVAILABLE', /no runtime backend is registered/);
  });

  it('lists backends by priority, highest first', () => {
    registerBackend(fakeBackend('low', 1, { available: true }));
    registerBackend(fakeBackend('high', 50, { available: true }));
    registerBackend(fakeBackend('mid', 20, { available: true }));
    expect(listBackends().map((b) => b.name)).toEqual(['high', 'mid', 'low']);
    expect(getBackend('mid')?.priority).toBe(20);
    expect(getBackend('absent')).toBeUndefined();
  });

  it('picks the highest-priority backend and passes it the runner options without `backend`', async () => {
    const runner = await createRunner('model.onnx', { intraOpThreads: 2 });
    expect(runner.backend).toBe('high');
    expect(calls.at(-1)).toEqual({ backend: 'high', source: 'model.onnx', options: { intraOpThreads: 2 } });
  });

  it('skips unavailable backends, including ones whose availability check throws', async () => {
    registerBackend(fakeBackend('gpu-only', 90, { available: false, reason: 'no GPU' }));
    registerBackend({
      ...fakeBackend('broken', 95, { available: true }),
      isAvailable: async () => {
        throw new Error('probe crashed');
      },
    });
    expect((await createRunner(new Uint8Array([1]))).backend).toBe('high');
  });

  it('uses a named backend even when a higher-priority one exists', async () => {
    expect((await createRunner('model.onnx', { backend: 'low' })).backend).toBe('low');
  });

  it('rejects an unknown backend name, listing the registered ones', async () => {
    const error = await expectOxvError(createRunner('m.onnx', { backend: 'tflite' }), 'ERR_BACKEND_UNAVAILABLE');
    expect(error.message).toBe(
      'unknown backend "tflite"; registered backends: "low", "high", "mid", "gpu-only", "broken"',
    );
  });

  it('rejects a named backend that is unavailable, with its reason', async () => {
    await expectOxvError(
      createRunner('m.onnx', { backend: 'gpu-only' }),
      'ERR_BACKEND_UNAVAILABLE',
      /backend "gpu-only" is not available here: no GPU/,
    );
    await expectOxvError(createRunner('m.onnx', { backend: 'broken' }), 'ERR_BACKEND_UNAVAILABLE', /probe crashed/);
  });

  it('replaces a backend registered again under the same name', async () => {
    registerBackend(fakeBackend('high', 50, { available: false, reason: 'switched off' }));
    expect(listBackends().filter((b) => b.name === 'high')).toHaveLength(1);
    expect((await createRunner('m.onnx')).backend).toBe('mid');
  });

  it('lists every reason when no backend is available', async () => {
    for (const name of ['low', 'mid'])
      registerBackend(fakeBackend(name, 1, { available: false, reason: `${name} off` }));
    const error = await expectOxvError(createRunner('m.onnx'), 'ERR_BACKEND_UNAVAILABLE');
    expect(error.message).toContain('broken (availability check failed: probe crashed)');
    expect(error.message).toContain('gpu-only (no GPU)');
    expect(error.message).toContain('low (low off)');
  });

  it('validates what it registers', () => {
    expect(() => registerBackend({ ...fakeBackend('', 1, { available: true }) })).toThrow(
      new TypeError('backend.name must be a non-empty string'),
    );
    expect(() => registerBackend(fakeBackend('nan', Number.NaN, { available: true }))).toThrow(RangeError);
    expect(() => registerBackend({ name: 'x', priority: 1 } as Backend)).toThrow(TypeError);
  });
});
