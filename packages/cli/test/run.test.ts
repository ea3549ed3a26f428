import { copyFileSync, existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli, REPO, STACK_LINE } from './helpers/cli.js';

const CONFIG = join(REPO, 'examples/unet-denoiser/config.yml');
const SAMPLES = join(REPO, 'examples/unet-denoiser/samples');
const TINY_CNN = join(REPO, 'packages/onnx/test/fixtures/tiny_cnn.onnx');
const tmp = (): string => mkdtempSync(join(tmpdir(), 'oxv-cli-run-'));

/** tiny_cnn.onnx with a classification card naming its 5 classes, as convert would lay it out. */
function classifier(): string {
  const dir = tmp();
  copyFileSync(TINY_CNN, join(dir, 'tiny.onnx'));
  const card = {
    card_version: 1,
    name: 'tiny',
    created_at: '2026-01-01T00:00:00.000Z',
    task: 'classification',
    labels: ['cat', 'dog', 'fox', 'owl', 'eel'],
    inputs: [{ name: 'input', dtype: 'float32', shape: ['batch', 3, 16, 16] }],
    outputs: [{ name: 'output', dtype: 'float32', shape: ['batch', 5] }],
    example_inputs: [],
    preprocess: {
      size: [16, 16],
      resize: 'fill',
      scale: 1 / 255,
      mean: [0.5],
      std: [0.25],
      layout: 'NCHW',
      channel_order: 'RGB',
    },
    onnx: {
      file: 'tiny.onnx',
      sha256: '',
      bytes: 0,
      opset: 13,
      exporter: 'torchscript',
      external_data: [],
      dynamic_axes: [],
    },
  };
  writeFileSync(join(dir, 'tiny.card.json'), JSON.stringify(card));
  return join(dir, 'tiny.onnx');
}

describe('oxidizedvision run', () => {
  it('prints top-k predictions as a table, CSV or JSON', async () => {
    const model = classifier();
    const image = join(SAMPLES, 'coffee.png');
    const text = await cli(['run', model, image, '--top-k', '2']);
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toMatch(/coffee\.png .*│ 1 .*(cat|dog|fox|owl|eel)/);
    const csv = await cli(['run', model, image, '--top-k', '2', '--csv']);
    const lines = csv.stdout.trim().split('\n');
    expect(lines[0]).toBe('file,rank,index,label,probability');
    expect(lines).toHaveLength(3);
    const json = JSON.parse((await cli(['run', model, image, '--json'])).stdout) as {
      files: { predictions: unknown[] }[];
    };
    expect(json.files[0]!.predictions).toHaveLength(5);
  });

  it('writes the good images, reports the corrupt one, and exits 1', async () => {
    const dir = tmp();
    copyFileSync(join(SAMPLES, 'astronaut-256-noisy.png'), join(dir, 'good.png'));
    writeFileSync(join(dir, 'bad.jpg'), 'garbage');
    const out = join(tmp(), 'out');
    const result = await cli(['run', CONFIG, dir, '-o', out, '--json']);
    expect(result.code).toBe(1);
    const summary = JSON.parse(result.stdout) as {
      succeeded: number;
      failed: number;
      files: { ok: boolean; error?: { code: string } }[];
    };
    expect(summary).toMatchObject({ succeeded: 1, failed: 1 });
    expect(summary.files.find((f) => !f.ok)!.error!.code).toBe('ERR_IMAGE_DECODE');
    expect(existsSync(join(out, 'good.png'))).toBe(true);
    // Not a TTY: no progress bar redraws in the captured stderr.
    expect(result.stderr).not.toContain('\r');
    // Without --json: one line for the bad file, naming it once.
    const text = await cli(['run', CONFIG, dir, '-o', join(tmp(), 'out')]);
    expect(text.code).toBe(1);
    const errors = text.stderr.split('\n').filter((l) => l.startsWith('error:'));
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/^error: cannot decode image \S*bad\.jpg: /);
    expect(errors[0]!.split('bad.jpg')).toHaveLength(2);
  });

  it('exits 2 with one clear line for flags the model cannot take', async () => {
    const model = classifier();
    const mean = await cli(['run', model, SAMPLES, '--mean', '0.1,0.2']);
    expect(mean.code).toBe(2);
    expect(mean.stderr).toMatch(/--mean has 2 values; the model takes 3 channel/);
    expect(mean.stderr).not.toMatch(STACK_LINE);
    const level = await cli(['run', CONFIG, SAMPLES, '-o', tmp(), '--png-compression', '10']);
    expect(level.code).toBe(2);
    expect(level.stderr).toMatch(/expected a zlib level from 0 to 9, got "10"/);
    const missing = await cli(['run', CONFIG, join(SAMPLES, 'nope.png'), '-o', tmp()]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/input not found/);
  });

  it('detects with a bare contract-shaped .onnx: a table, --json detections, drawn images, and threshold flags', async () => {
    const dir = tmp();
    const model = join(dir, 'boxes.onnx');
    copyFileSync(join(REPO, 'packages/runtime/test/fixtures/colour_boxes.onnx'), model);
    // coffee.png has bright red, green and blue pixels somewhere: whatever it finds, every box is inside it.
    const image = join(SAMPLES, 'coffee.png');
    const text = await cli(['run', model, image, '--score-threshold', '0']);
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toMatch(/File .*Label .*Score .*Box/);
    const out = join(dir, 'drawn');
    const json = await cli([
      'run',
      model,
      image,
      '--json',
      '-o',
      out,
      '--max-detections',
      '2',
      '--score-threshold',
      '0',
    ]);
    expect(json.code, json.stderr).toBe(0);
    const summary = JSON.parse(json.stdout) as {
      task: string;
      files: { outputs: string[]; detections: { box: number[]; score: number }[] }[];
    };
    expect(summary.task).toBe('detection');
    const [file] = summary.files;
    expect(file!.detections.length).toBeGreaterThan(0);
    expect(file!.detections.length).toBeLessThanOrEqual(2);
    for (const d of file!.detections) {
      expect(d.box[0]).toBeGreaterThanOrEqual(0);
      expect(d.box[2]).toBeLessThanOrEqual(400);
      expect(d.box[3]).toBeLessThanOrEqual(300);
    }
    expect(file!.outputs).toEqual([join(out, 'coffee.detections.png')]);
    expect(existsSync(file!.outputs[0]!)).toBe(true);
    const bad = await cli(['run', model, image, '--score-threshold', '1.5']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/expected a number from 0 to 1, got "1.5"/);
  });
});
