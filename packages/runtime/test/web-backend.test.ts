import { describe, expect, it } from 'vitest';
import { createWebRunner, setWasmPaths, webBackend } from '@oxidizedvision/runtime/web';
import { expectOxvError, fixturePath } from './helpers.js';

describe('onnxruntime-web backend under Node', () => {
  it('reports itself available (WebAssembly exists)', async () => {
    expect(await webBackend.isAvailable()).toEqual({ available: true });
  });

  it('runs on the wasm provider, also when asked for cpu', async () => {
    const runner = await createWebRunner(fixturePath('two_io.onnx'), { executionProvider: 'cpu' });
    expect(runner.info().executionProviders).toEqual(['wasm']);
    await runner.dispose();
  });

  it('refuses an empty WASM location before onnxruntime-web would fetch from it', () => {
    expect(() => setWasmPaths('')).toThrow(new TypeError('prefix must be a non-empty URL prefix, got ""'));
  });

  it('refuses webgpu where navigator.gpu is missing', async () => {
    await expectOxvError(
      createWebRunner(fixturePath('two_io.onnx'), { executionProvider: 'webgpu' }),
      'ERR_BACKEND_UNAVAILABLE',
      /navigator\.gpu/,
    );
  });

  it.each(['cuda', 'tensorrt'] as const)('refuses %s, pointing at onnxruntime-node', async (provider) => {
    const error = await expectOxvError(
      createWebRunner(fixturePath('two_io.onnx'), { executionProvider: provider }),
      'ERR_BACKEND_UNAVAILABLE',
    );
    expect(error.hint).toContain('onnxruntime-node');
  });
});
