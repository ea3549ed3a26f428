import { existsSync, readFileSync } from 'node:fs';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli, FIXTURES, REPO, writeConfig } from './helpers/cli.js';

const SAMPLES = join(REPO, 'examples/unet-denoiser/samples');

interface Report {
  passed: boolean;
  model: string;
  comparisons: {
    reference: string;
    target: string;
    output: string;
    mae: number;
    rmse: number;
    max_abs_error: number;
    cosine_similarity: number;
    passed: boolean;
  }[];
  failures: unknown[];
}

function fixtureConfig(body: string): string {
  return writeConfig(`model:\n  path: ${FIXTURES}/${body}`);
}

async function convertAndValidate(config: string, home: string, extra: string[] = []): Promise<Report> {
  const converted = await cli(['convert', config], { home });
  expect(converted.stderr).not.toMatch(/error:/);
  expect(converted.code).toBe(0);
  const validated = await cli(['validate', config, '--json', ...extra], { home });
  const report = JSON.parse(validated.stdout) as Report;
  expect(validated.code, validated.stderr).toBe(report.passed ? 0 : 1);
  return report;
}

function expectAllTargets(report: Report, outputs: string[], minCosine = 0.9999): void {
  expect(report.passed).toBe(true);
  expect(report.failures).toEqual([]);
  for (const target of ['torchscript', 'onnxruntime-node', 'onnxruntime-web']) {
    for (const output of outputs) {
      const row = report.comparisons.find((c) => c.target === target && c.output === output);
      expect(row, `${target}/${output}`).toBeDefined();
      expect(row!.reference).toBe('pytorch');
      expect(row!.cosine_similarity).toBeGreaterThanOrEqual(minCosine);
      expect(row!.mae).toBeLessThan(1e-4);
      expect(row!.passed).toBe(true);
    }
  }
}

describe('convert + validate', () => {
  it('converts a checkpointed model, writes a complete card, and validates it', async () => {
    const home = mkdtempSync(join(tmpdir(), 'oxv-home-'));
    const config = fixtureConfig(
      `tiny_cnn.py\n  class_name: TinyCNN\n  input_shape: [1, 3, 32, 32]\n  checkpoint: ${FIXTURES}/tiny_cnn.pt\nexport:\n  model_name: tiny\n`,
    );
    const report = await convertAndValidate(config, home);
    expectAllTargets(report, ['output']);
    expect(report.model).toBe('tiny');

    const card = JSON.parse(readFileSync(join(config, '..', 'out', 'tiny.card.json'), 'utf8'));
    expect(card.inputs).toEqual([{ name: 'input', dtype: 'float32', shape: ['batch', 3, 32, 32] }]);
    expect(card.outputs).toEqual([{ name: 'output', dtype: 'float32', shape: ['batch', 10] }]);
    expect(card.onnx.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(card.torchscript.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(card.source.checkpoint_sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(card.weights).toBeNull(); // the checkpoint itself is the reference's weights
    expect(card.pytorch.parameters.total).toBeGreaterThan(0);
    expect(card.onnx.opset).toBe(17);

    // Converting the same name again adds a version and keeps the first creation time.
    expect((await cli(['convert', config, '-q'], { home })).code).toBe(0);
    const info = JSON.parse((await cli(['info', 'tiny', '--json'], { home })).stdout);
    expect(info.versions.map((v: { version: number }) => v.version)).toEqual([1, 2]);
    expect(info.createdAt).toBe(info.versions[0].createdAt);
    const list = JSON.parse((await cli(['list', '--json'], { home })).stdout);
    expect(list.models).toEqual([expect.objectContaining({ name: 'tiny', latestVersion: 2, versionCount: 2 })]);
  });

  it('validates a model without a checkpoint against the exact weights it exported', async () => {
    const config = fixtureConfig('tiny_cnn.py\n  class_name: TinyCNN\n  input_shape: [2, 3, 32, 32]\n');
    const report = await convertAndValidate(config, mkdtempSync(join(tmpdir(), 'oxv-home-')));
    expectAllTargets(report, ['output']);
    expect(existsSync(join(config, '..', 'out', 'model.weights.pt'))).toBe(true);
  });

  it.each([['tiny_cnn_wrapped_state_dict.pt'], ['tiny_cnn_wrapped_model.pt']])(
    'unwraps a checkpoint saved as %s',
    async (ckpt) => {
      const config = fixtureConfig(
        `tiny_cnn.py\n  class_name: TinyCNN\n  input_shape: [1, 3, 32, 32]\n  checkpoint: ${FIXTURES}/${ckpt}\n`,
      );
      expect((await cli(['convert', config, '-q'])).code).toBe(0);
    },
  );

  it('names and validates every output of a two-output model', async () => {
    const config = fixtureConfig(
      'two_outputs.py\n  class_name: TwoHeads\n  input_shape: [1, 3, 32, 32]\n  output_names: [logits, features]\n',
    );
    expectAllTargets(await convertAndValidate(config, mkdtempSync(join(tmpdir(), 'oxv-home-'))), [
      'logits',
      'features',
    ]);
  });

  it('passes init_args to a constructor that needs them', async () => {
    const config = fixtureConfig(
      'needs_init_args.py\n  class_name: Configurable\n  init_args: {width: 4, num_classes: 5, use_bias: true}\n  input_shape: [1, 3, 32, 32]\n',
    );
    expectAllTargets(await convertAndValidate(config, mkdtempSync(join(tmpdir(), 'oxv-home-'))), ['output']);
  });

  it('exports several named inputs', async () => {
    const config = fixtureConfig(
      'multi_input.py\n  class_name: TwoInputs\n  inputs:\n    - {name: image, shape: [1, 3, 32, 32]}\n    - {name: scale, shape: [1, 1]}\n',
    );
    expectAllTargets(await convertAndValidate(config, mkdtempSync(join(tmpdir(), 'oxv-home-'))), ['output']);
    const card = JSON.parse(readFileSync(join(config, '..', 'out', 'model.card.json'), 'utf8'));
    expect(card.inputs.map((i: { name: string }) => i.name)).toEqual(['image', 'scale']);
  });

  it('converts a TorchScript file', async () => {
    const config = fixtureConfig('tiny_cnn.torchscript.pt\n  input_shape: [1, 3, 32, 32]\n');
    expectAllTargets(await convertAndValidate(config, mkdtempSync(join(tmpdir(), 'oxv-home-'))), ['output']);
  });

  it('leaves height and width symbolic on request', async () => {
    const config = fixtureConfig(
      'tiny_cnn.py\n  class_name: TinyCNN\n  input_shape: [1, 3, 32, 32]\nexport:\n  dynamic_axes: [batch, height, width]\n',
    );
    expect((await cli(['convert', config, '-q'])).code).toBe(0);
    const card = JSON.parse(readFileSync(join(config, '..', 'out', 'model.card.json'), 'utf8'));
    expect(card.inputs[0].shape).toEqual(['batch', 3, 'height', 'width']);
  });

  it('also compares on a folder of images through the preprocessing', async () => {
    const config = fixtureConfig(
      'tiny_cnn.py\n  class_name: TinyCNN\n  input_shape: [1, 3, 32, 32]\npreprocess:\n  resize: fill\n  mean: [0.485, 0.456, 0.406]\n  std: [0.229, 0.224, 0.225]\n',
    );
    const home = mkdtempSync(join(tmpdir(), 'oxv-home-'));
    const report = await convertAndValidate(config, home, ['--images', SAMPLES, '--targets', 'onnxruntime-node']);
    const rows = report.comparisons.filter((c) => c.inputs === 'images');
    expect(rows).toEqual([expect.objectContaining({ target: 'onnxruntime-node', tests: 4, passed: true })]);
    expect(rows[0]!.cosine_similarity).toBeGreaterThanOrEqual(0.9999);
  });

  it('fails on a vanishing reference unless --allow-degenerate, and --randomize-weights fixes it', async () => {
    const config = writeConfig(
      'model:\n  path: torchvision:mobilenet_v3_small\n  input_shape: [1, 3, 64, 64]\nexport:\n  torchscript: false\nvalidation:\n  num_tests: 1\n',
    );
    const home = mkdtempSync(join(tmpdir(), 'oxv-home-'));
    expect((await cli(['convert', config, '-q'], { home })).code).toBe(0);
    const strict = await cli(['validate', config, '--targets', 'onnxruntime-node'], { home });
    expect(strict.code).toBe(1);
    expect(strict.stdout).toMatch(/✗ PyTorch's output "output" is numerically negligible \(max \|x\| = \d\.\d+e-\d+\)/);
    const allowed = await cli(['validate', config, '--targets', 'onnxruntime-node', '--allow-degenerate'], { home });
    expect(allowed.code).toBe(0);
    expect(allowed.stdout).toMatch(/accepted: --allow-degenerate/);
    expect((await cli(['convert', config, '-q', '--randomize-weights'], { home })).code).toBe(0);
    const card = JSON.parse(readFileSync(join(config, '..', 'out', 'model.card.json'), 'utf8'));
    expect(card.source.randomized_weights_seed).toBe(0);
    expect((await cli(['validate', config, '--targets', 'onnxruntime-node'], { home })).code).toBe(0);
  }, 120_000);

  it('fails validation with exit 1 and names the tolerance that failed', async () => {
    const config = fixtureConfig('tiny_cnn.py\n  class_name: TinyCNN\n  input_shape: [1, 3, 32, 32]\n');
    const home = mkdtempSync(join(tmpdir(), 'oxv-home-'));
    expect((await cli(['convert', config, '-q'], { home })).code).toBe(0);
    const result = await cli(['validate', config, '--targets', 'onnxruntime-node', '--tolerance-max-abs', '0'], {
      home,
    });
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/onnxruntime-node output "output": max abs error \d\.\d+e-\d+ > 0/);
    expect(result.stdout).toMatch(/validation failed/);
  });
});

describe('torchvision architectures', () => {
  // torchvision's own init leaves mobilenet_v3_small's and efficientnet_b0's outputs near 1e-10: validate
  // refuses such a reference, so these run on redrawn weights (model.randomize_weights).
  it.each([['resnet18'], ['mobilenet_v3_small'], ['efficientnet_b0']])(
    '%s matches PyTorch on both ONNX runtimes (cosine ≥ 0.9999)',
    async (arch) => {
      const config = writeConfig(
        `model:\n  path: torchvision:${arch}\n  input_shape: [1, 3, 224, 224]\n  randomize_weights: true\nexport:\n  model_name: ${arch.replace(/_/g, '-')}\n  torchscript: false\n`,
      );
      const report = await convertAndValidate(config, mkdtempSync(join(tmpdir(), 'oxv-home-')), [
        '--targets',
        'onnxruntime-node,onnxruntime-web',
        '--num-tests',
        '2',
      ]);
      expect(report.passed).toBe(true);
      expect(report.comparisons).toHaveLength(2);
      for (const row of report.comparisons) expect(row.cosine_similarity).toBeGreaterThanOrEqual(0.9999);
    },
    240_000,
  );
});
