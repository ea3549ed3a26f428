import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { isOxvError } from '@oxidizedvision/runtime';
import { convertModel, loadConfig, validateModel, type ValidationReport } from '@oxidizedvision/tools';

/** One small model per torchvision family, at small inputs, with redrawn weights (no checkpoint exists). */
function config(yaml: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'oxv-families-'));
  const file = join(dir, 'config.yml');
  writeFileSync(file, `${yaml}\nvalidation:\n  num_tests: 1\nexport:\n  register: false\n  torchscript: false\n`);
  return file;
}

async function convertAndValidate(file: string) {
  const resolved = loadConfig(file);
  const converted = await convertModel(resolved, { register: false });
  const report = await validateModel(resolved, { targets: ['onnxruntime-node'] });
  return { card: converted.card, report };
}

function expectPassed(report: ValidationReport, outputs: string[]): void {
  expect(report.failures).toEqual([]);
  expect(report.degenerate).toEqual([]);
  expect(report.comparisons.map((c) => c.output)).toEqual(outputs);
  for (const row of report.comparisons) {
    expect(row.passed, `${row.output}: ${row.reason}`).toBe(true);
    expect(row.cosine_similarity).toBeGreaterThanOrEqual(0.9999);
    expect(row.relative_max_error).toBeLessThan(1e-3);
  }
  expect(report.passed).toBe(true);
}

describe('torchvision families convert and validate', () => {
  it('classification: mobilenet_v3_small', async () => {
    const { card, report } = await convertAndValidate(
      config(
        'model:\n  path: torchvision:mobilenet_v3_small\n  input_shape: [1, 3, 64, 64]\n  randomize_weights: true',
      ),
    );
    expectPassed(report, ['output']);
    expect(card.task).toBe('classification');
    expect(card.source.randomized_weights_seed).toBe(0);
  }, 120_000);

  it('segmentation: lraspp_mobilenet_v3_large names its dict output "out"', async () => {
    const { card, report } = await convertAndValidate(
      config(
        'model:\n  path: torchvision:lraspp_mobilenet_v3_large\n  init_args: {num_classes: 3}\n  input_shape: [1, 3, 96, 96]\n  randomize_weights: true',
      ),
    );
    expectPassed(report, ['out']);
    expect(card.task).toBe('segmentation');
    expect(card.outputs.map((o) => [o.name, o.shape[0], o.shape.length])).toEqual([['out', 'batch', 4]]);
  }, 120_000);

  it('detection: ssdlite320 exports boxes, scores and labels with a dynamic detections dimension', async () => {
    const { card, report } = await convertAndValidate(
      config(
        'model:\n  path: torchvision:ssdlite320_mobilenet_v3_large\n  init_args: {num_classes: 3, detections_per_img: 50}\n  input_shape: [1, 3, 320, 320]\n  randomize_weights: true',
      ),
    );
    expectPassed(report, ['boxes', 'scores', 'labels']);
    expect(card.task).toBe('detection');
    expect(card.inputs).toEqual([{ name: 'input', dtype: 'float32', shape: [1, 3, 320, 320] }]);
    expect(card.outputs).toEqual([
      { name: 'boxes', dtype: 'float32', shape: ['detections', 4] },
      { name: 'scores', dtype: 'float32', shape: ['detections'] },
      { name: 'labels', dtype: 'int64', shape: ['detections'] },
    ]);
    const counts = report.comparisons[0]!.counts!;
    expect(counts[0]!.reference).toBeGreaterThan(0);
    expect(counts[0]!.target).toBe(counts[0]!.reference);
  }, 120_000);

  it('optical flow: raft_small takes two frames and returns the final flow', async () => {
    const file = config(
      'model:\n  path: torchvision:raft_small\n  inputs:\n    - {name: image1, shape: [1, 3, 128, 128]}\n    - {name: image2, shape: [1, 3, 128, 128]}\n  randomize_weights: true',
    );
    const { card, report } = await convertAndValidate(file);
    expect(card.inputs.map((i) => i.name)).toEqual(['image1', 'image2']);
    expect(card.outputs).toEqual([{ name: 'flow', dtype: 'float32', shape: [1, 2, 128, 128] }]);
    // Twelve refinements on redrawn weights give flows of tens of pixels: judged relative to that.
    expect(report.degenerate).toEqual([]);
    expect(report.comparisons).toHaveLength(1);
    expect(report.comparisons[0]!.relative_mae).toBeLessThan(1e-4);
    expect(report.comparisons[0]!.cosine_similarity).toBeGreaterThanOrEqual(0.9999);
  }, 120_000);

  it('video: r3d_18 on a 5-D clip [1, 3, T, H, W]', async () => {
    const { report } = await convertAndValidate(
      config(
        'model:\n  path: torchvision:r3d_18\n  init_args: {num_classes: 4}\n  input_shape: [1, 3, 4, 32, 32]\n  randomize_weights: true',
      ),
    );
    expectPassed(report, ['output']);
  }, 120_000);

  it("exports torchvision's RoIAlign (aligned=False) at opset 17 with the coordinate mode PyTorch uses", async () => {
    const fixture = fileURLToPath(new URL('fixtures/models/roi_align_head.py', import.meta.url));
    const { report } = await convertAndValidate(
      config(`model:\n  path: ${fixture}\n  class_name: RoiAlignHead\n  input_shape: [1, 3, 32, 32]`),
    );
    expectPassed(report, ['output']);
    expect(report.comparisons[0]!.max_abs_error).toBeLessThan(1e-5);
  }, 60_000);

  it('names close matches and the families searched for an unknown builder', async () => {
    const resolved = loadConfig(
      config('model:\n  path: torchvision:deeplabv3_mobilenet_v3_larg\n  input_shape: [1, 3, 64, 64]'),
    );
    const err = await convertModel(resolved, { register: false }).catch((e: unknown) => e);
    expect(isOxvError(err) && err.code).toBe('ERR_MODEL_IMPORT');
    expect((err as Error).message).toMatch(/did you mean segmentation\.deeplabv3_mobilenet_v3_large/);
    expect((err as Error).message).toMatch(
      /searched torchvision\.models, torchvision\.models\.segmentation, .*optical_flow/,
    );
  }, 60_000);

  it('refuses a detector with a batch larger than one, before exporting', async () => {
    const resolved = loadConfig(
      config('model:\n  path: torchvision:ssdlite320_mobilenet_v3_large\n  input_shape: [2, 3, 320, 320]'),
    );
    const err = await convertModel(resolved, { register: false }).catch((e: unknown) => e);
    expect((err as Error).message).toMatch(
      /is a detector: it takes one image \[1, 3, H, W\] per call, got input\(s\) \[2, 3, 320, 320\]/,
    );
  }, 60_000);
});
