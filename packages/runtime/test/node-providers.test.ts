import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertProviderInstalled, checkProviderLibraries, createNodeRunner } from '@oxidizedvision/runtime/node';
import { expectOxvError, expectOxvErrorSync, fixturePath } from './helpers.js';

describe('GPU execution providers in onnxruntime-node', () => {
  // This project installs onnxruntime-node with its GPU download skipped (.npmrc), so the CUDA and
  // TensorRT provider libraries are absent here and on CI, GPU machine or not.
  it.each(['cuda', 'tensorrt'] as const)(
    'refuses %s before ORT tries to load it, naming the missing library and how to install it',
    async (provider) => {
      const error = await expectOxvError(
        createNodeRunner(fixturePath('two_io.onnx'), { executionProvider: provider }),
        'ERR_BACKEND_UNAVAILABLE',
      );
      expect(error.message).toContain(`libonnxruntime_providers_${provider}.so`);
      expect(error.message).toContain('ONNXRUNTIME_NODE_INSTALL=cuda12 npm rebuild onnxruntime-node');
      expect(error.message).toMatch(/CUDA 12.*cuDNN/);
      expect(error.details).toMatchObject({ provider });
    },
  );

  it('refuses the wasm provider, which belongs to onnxruntime-web', async () => {
    await expectOxvError(
      createNodeRunner(fixturePath('two_io.onnx'), { executionProvider: 'wasm' }),
      'ERR_BACKEND_UNAVAILABLE',
      /onnxruntime-web/,
    );
  });

  describe('with a provider directory', () => {
    let directory: string;
    beforeAll(async () => {
      directory = await mkdtemp(join(tmpdir(), 'oxv-providers-'));
      await writeFile(join(directory, 'libonnxruntime_providers_shared.so'), '');
      await writeFile(join(directory, 'libonnxruntime_providers_cuda.so'), '');
    });
    afterAll(() => rm(directory, { recursive: true, force: true }));

    it('reports a provider available when its libraries are present', () => {
      expect(checkProviderLibraries('cuda', directory)).toEqual({ available: true, missing: [], directory });
      expect(() => assertProviderInstalled('cuda', directory)).not.toThrow();
    });

    it('lists only the libraries that are missing', () => {
      expect(checkProviderLibraries('tensorrt', directory).missing).toEqual(['libonnxruntime_providers_tensorrt.so']);
      expectOxvErrorSync(
        () => assertProviderInstalled('tensorrt', directory),
        'ERR_BACKEND_UNAVAILABLE',
        /libonnxruntime_providers_tensorrt\.so missing from/,
      );
    });
  });
});

describe('runner options', () => {
  it('rejects invalid options with a RangeError naming the option', async () => {
    await expect(createNodeRunner(fixturePath('two_io.onnx'), { intraOpThreads: -1 })).rejects.toThrow(
      new RangeError('options.intraOpThreads must be a non-negative integer, got -1'),
    );
    await expect(createNodeRunner(fixturePath('two_io.onnx'), { executionProvider: 'tpu' as 'cpu' })).rejects.toThrow(
      /options\.executionProvider must be one of cpu, cuda, tensorrt, wasm, webgpu/,
    );
  });

  it('applies thread and optimisation options without changing results', async () => {
    const runner = await createNodeRunner(fixturePath('two_io.onnx'), {
      intraOpThreads: 1,
      interOpThreads: 1,
      graphOptimizationLevel: 'disabled',
    });
    try {
      const { createTensor } = await import('@oxidizedvision/runtime');
      const out = await runner.run({ x: createTensor('float32', [1, 3, 4, 4]), n: createTensor('int64', [1, 2]) });
      expect(Array.from(out.y!.data as Float32Array).every((v) => v === 1)).toBe(true);
      expect(runner.info().executionProviders).toEqual(['cpu']);
    } finally {
      await runner.dispose();
    }
  });
});
