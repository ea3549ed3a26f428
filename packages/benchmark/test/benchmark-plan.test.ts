import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { OxvError } from '@oxidizedvision/runtime';
import type { PythonInfo } from '@oxidizedvision/tools';
import { planRunners, type RunnerFacts } from '../src/runners.js';
import { resolveTarget } from '../src/target.js';
import { checkBatchSizes, inputsForBatch, planInputs, templatesFromConfig, templatesFromOnnx } from '../src/inputs.js';
import { resolveSettings } from '../src/settings.js';

const MODELS = fileURLToPath(new URL('../../tools/test/fixtures/models/', import.meta.url));
const TWO_IO = fileURLToPath(new URL('../../runtime/test/fixtures/two_io.onnx', import.meta.url));

function configFile(extra = ''): string {
  const dir = mkdtempSync(join(tmpdir(), 'oxv-bench-plan-'));
  const file = join(dir, 'config.yml');
  writeFileSync(
    file,
    `model:\n  path: ${join(MODELS, 'tiny_cnn.py')}\n  class_name: TinyCNN\n  input_shape: [1, 3, 32, 32]\nexport:\n  model_name: tiny\n${extra}`,
  );
  return file;
}

const PYTHON = { python: '/usr/bin/python3', torch: '2.0' } as PythonInfo;
const NO_GPU: RunnerFacts['gpu'] = {
  cuda: { available: false, reason: 'cuda libraries missing' },
  tensorrt: { available: false, reason: 'tensorrt libraries missing' },
};

function usageError(fn: () => unknown): OxvError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(OxvError);
    expect((err as OxvError).code).toBe('ERR_USAGE');
    return err as OxvError;
  }
  throw new Error('expected ERR_USAGE');
}

describe('runner selection', () => {
  it('runs every available runner of a converted config and says why the others cannot run', async () => {
    const target = await resolveTarget(configFile());
    const plan = planRunners(undefined, { target, python: PYTHON, gpu: NO_GPU, exists: () => true });
    expect(plan.run).toEqual(['pytorch', 'torchscript', 'onnxruntime-node', 'onnxruntime-web']);
    expect(plan.skipped).toEqual([
      { runner: 'onnxruntime-node-cuda', reason: 'cuda libraries missing', requested: false },
      { runner: 'onnxruntime-node-tensorrt', reason: 'tensorrt libraries missing', requested: false },
    ]);
  });

  it('points at convert when the exported files are missing', async () => {
    const target = await resolveTarget(configFile());
    const plan = planRunners(['torchscript', 'onnxruntime-node'], {
      target,
      python: PYTHON,
      gpu: NO_GPU,
      exists: () => false,
    });
    expect(plan.run).toEqual([]);
    expect(plan.skipped.map((s) => [s.runner, s.requested])).toEqual([
      ['torchscript', true],
      ['onnxruntime-node', true],
    ]);
    expect(plan.skipped[0]!.reason).toMatch(
      /no TorchScript file at .*tiny\.pt; run `oxidizedvision convert .*config\.yml` first/,
    );
    expect(plan.skipped[1]!.reason).toMatch(/no ONNX file at .*tiny\.onnx; run `oxidizedvision convert/);
  });

  it('skips the PyTorch runners without a Python that imports torch, and TorchScript when export turned it off', async () => {
    const target = await resolveTarget(configFile('  torchscript: false\n'));
    const plan = planRunners(undefined, {
      target,
      python: { error: 'No Python with PyTorch found.' },
      gpu: NO_GPU,
      exists: () => true,
    });
    expect(plan.skipped.find((s) => s.runner === 'pytorch')!.reason).toBe(
      'no Python with PyTorch: No Python with PyTorch found.',
    );
    const withPython = planRunners(['torchscript'], { target, python: PYTHON, gpu: NO_GPU, exists: () => true });
    expect(withPython.skipped[0]!.reason).toMatch(/export\.torchscript is false/);
  });

  it('offers only the ONNX runners for a bare .onnx, and the GPU ones when their libraries are there', async () => {
    const target = await resolveTarget(TWO_IO);
    const gpu: RunnerFacts['gpu'] = { cuda: { available: true }, tensorrt: NO_GPU.tensorrt };
    const plan = planRunners(undefined, { target, python: undefined, gpu });
    expect(plan.run).toEqual(['onnxruntime-node', 'onnxruntime-web', 'onnxruntime-node-cuda']);
    expect(plan.skipped.find((s) => s.runner === 'pytorch')!.reason).toMatch(/bare \.onnx file has no PyTorch model/);
  });

  it('keeps its own order whatever order runners were asked in', async () => {
    const target = await resolveTarget(TWO_IO);
    const plan = planRunners(['onnxruntime-web', 'onnxruntime-node'], { target, python: undefined, gpu: NO_GPU });
    expect(plan.run).toEqual(['onnxruntime-node', 'onnxruntime-web']);
  });
});

describe('settings', () => {
  it('takes the config’s benchmark section, and flags only where given', async () => {
    const target = await resolveTarget(
      configFile('benchmark:\n  iters: 7\n  warmup_iters: 2\n  batch_sizes: [4, 1]\n  threads: 3\n'),
    );
    const inputs = planInputs(target);
    expect(resolveSettings({}, target, inputs)).toMatchObject({
      iters: 7,
      warmup: 2,
      batch_sizes: [1, 4],
      threads: 3,
      duration_s: null,
    });
    expect(resolveSettings({ iters: 9, threads: undefined, batchSizes: [2] }, target, inputs)).toMatchObject({
      iters: 9,
      threads: 3,
      batch_sizes: [2],
    });
    expect(resolveSettings({ durationS: 0.5 }, target, inputs)).toMatchObject({ iters: null, duration_s: 0.5 });
  });

  it('uses the schema defaults for a bare .onnx and rejects iterations together with a duration', async () => {
    const target = await resolveTarget(TWO_IO);
    const inputs = planInputs(target);
    expect(resolveSettings({}, target, inputs)).toMatchObject({
      iters: 100,
      warmup: 10,
      batch_sizes: [1],
      max_windows: 5,
      stability_pct: 5,
      threads: null,
    });
    usageError(() => resolveSettings({ iters: 5, durationS: 1 }, target, inputs));
    usageError(() => resolveSettings({ maxWindows: 1 }, target, inputs));
    usageError(() => resolveSettings({ batchSizes: [0] }, target, inputs));
  });
});

describe('input shapes', () => {
  it('makes the first dim of each config input the batch dim', async () => {
    const target = await resolveTarget(configFile());
    if (target.kind !== 'config') throw new Error('expected a config');
    const templates = templatesFromConfig(target.config.model.inputs);
    expect(inputsForBatch(templates, 8)).toEqual([{ name: 'input', dtype: 'float32', shape: [8, 3, 32, 32] }]);
    const bigger = templatesFromConfig(target.config.model.inputs, [{ shape: [1, 3, 64, 48] }]);
    expect(inputsForBatch(bigger, 2)[0]!.shape).toEqual([2, 3, 64, 48]);
  });

  const image = { name: 'image', dtype: 'float32', shape: ['batch', 3, 'height', 'width'] as (number | string)[] };

  it('asks for --input-shape when an ONNX input has symbolic dims besides the batch', () => {
    const err = usageError(() => templatesFromOnnx([image]));
    expect(err.message).toMatch(/input "image" has symbolic dims \[batch, 3, height, width\]/);
    expect(err.hint).toBe('e.g. --input-shape 1,3,224,224');
    const templates = templatesFromOnnx([image], [{ shape: [1, 3, 100, 80] }]);
    expect(inputsForBatch(templates, 4)[0]!.shape).toEqual([4, 3, 100, 80]);
  });

  it('checks --input-shape against the model and names inputs when there are several', () => {
    usageError(() => templatesFromOnnx([image], [{ shape: [1, 4, 100, 80] }])); // 3 channels are fixed
    usageError(() => templatesFromOnnx([image], [{ name: 'nope', shape: [1, 3, 8, 8] }]));
    const scale = { name: 'scale', dtype: 'float32', shape: ['batch', 1] as (number | string)[] };
    usageError(() => templatesFromOnnx([image, scale], [{ shape: [1, 3, 8, 8] }]));
    const both = templatesFromOnnx([image, scale], [{ name: 'image', shape: [1, 3, 8, 8] }]);
    expect(inputsForBatch(both, 2).map((i) => i.shape)).toEqual([
      [2, 3, 8, 8],
      [2, 1],
    ]);
  });

  it('refuses batch sizes a model with a fixed batch dim cannot run', () => {
    const fixed = templatesFromOnnx([{ name: 'x', dtype: 'float32', shape: [1, 3, 8, 8] }]);
    checkBatchSizes(fixed, [1], 'm.onnx');
    expect(usageError(() => checkBatchSizes(fixed, [1, 4], 'm.onnx')).message).toMatch(
      /fixed batch size of 1 .* batch size 4 cannot run/,
    );
  });
});
