import { copyFileSync, existsSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import { runImages } from '@oxidizedvision/tools';
import { CONFIG, SAMPLES, ensureExampleConverted } from './helpers/example-denoiser.js';
import { modelFolder } from './helpers/onnx-fixtures.js';

const tmp = (prefix: string): string => mkdtempSync(join(tmpdir(), `oxv-run-${prefix}-`));

async function pixels(path: string): Promise<{ data: Buffer; width: number; height: number; channels: number }> {
  const { data, info } = await sharp(path).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  return { data, width: info.width, height: info.height, channels: info.channels };
}

async function psnr(a: string, b: string): Promise<number> {
  const [x, y] = [await pixels(a), await pixels(b)];
  let sum = 0;
  for (let i = 0; i < x.data.length; i++) sum += (x.data[i]! - y.data[i]!) ** 2;
  return 10 * Math.log10(255 ** 2 / (sum / x.data.length));
}

beforeAll(ensureExampleConverted, 120_000);

describe('runImages with the example denoiser', () => {
  it('cleans real noisy photos: PSNR against the clean crop improves by several dB', async () => {
    const out = tmp('psnr');
    const summary = await runImages(CONFIG, [join(SAMPLES, '*-noisy.png')], { out });
    expect(summary).toMatchObject({ task: 'image-to-image', total: 2, succeeded: 2, failed: 0 });
    // Loading the model is timed on its own and is part of the wall time.
    expect(summary.model_load_ms).toBeGreaterThan(0);
    expect(summary.model_load_ms).toBeLessThan(summary.wall_ms);
    for (const name of ['coffee', 'astronaut-256']) {
      const before = await psnr(join(SAMPLES, `${name}-noisy.png`), join(SAMPLES, `${name}.png`));
      const after = await psnr(join(out, `${name}-noisy.png`), join(SAMPLES, `${name}.png`));
      expect(after - before, name).toBeGreaterThan(5);
    }
    // Back at the source size (400x300 is not a multiple of the 256 tile), in the source format.
    expect(await pixels(join(out, 'coffee-noisy.png'))).toMatchObject({ width: 400, height: 300, channels: 3 });
  });

  it('tiled and whole-image results agree within 1/255 away from the border', async () => {
    const [tiled, whole] = [tmp('tiled'), tmp('whole')];
    const input = join(SAMPLES, 'coffee-noisy.png');
    await runImages(CONFIG, [input], { out: tiled, tile: 256, overlap: 32 });
    await runImages(CONFIG, [input], { out: whole, tile: 0 });
    const [a, b] = [await pixels(join(tiled, 'coffee-noisy.png')), await pixels(join(whole, 'coffee-noisy.png'))];
    let max = 0;
    const border = 16;
    for (let y = border; y < a.height - border; y++)
      for (let x = border; x < a.width - border; x++)
        for (let c = 0; c < 3; c++)
          max = Math.max(max, Math.abs(a.data[(y * a.width + x) * 3 + c]! - b.data[(y * a.width + x) * 3 + c]!));
    expect(max).toBeLessThanOrEqual(1);
  });

  it('honours EXIF orientation: a sideways-tagged photo comes out upright', async () => {
    const dir = tmp('exif');
    const input = join(dir, 'phone.jpg');
    // Stored 64 wide x 32 high, tagged "rotate 90° clockwise to display" (orientation 6).
    await sharp({ create: { width: 64, height: 32, channels: 3, background: { r: 200, g: 40, b: 40 } } })
      .jpeg()
      .withMetadata({ orientation: 6 })
      .toFile(input);
    const out = tmp('exif-out');
    await runImages(CONFIG, [input], { out });
    expect(await pixels(join(out, 'phone.jpg'))).toMatchObject({ width: 32, height: 64 });
  });

  it('reports a corrupt file, writes the others, and counts the failure', async () => {
    const dir = tmp('mixed');
    copyFileSync(join(SAMPLES, 'astronaut-256-noisy.png'), join(dir, 'a.png'));
    writeFileSync(join(dir, 'b.png'), 'not a png at all');
    copyFileSync(join(SAMPLES, 'astronaut-256-noisy.png'), join(dir, 'c.png'));
    const out = tmp('mixed-out');
    const summary = await runImages(CONFIG, [dir], { out });
    expect(summary).toMatchObject({ total: 3, succeeded: 2, failed: 1 });
    expect(summary.files.find((f) => !f.ok)).toMatchObject({
      input: join(dir, 'b.png'),
      error: { code: 'ERR_IMAGE_DECODE' },
    });
    expect(existsSync(join(out, 'a.png')) && existsSync(join(out, 'c.png'))).toBe(true);
    expect(existsSync(join(out, 'b.png'))).toBe(false);
  });

  it('overwrites nothing without overwrite: refuses before writing any file', async () => {
    const out = tmp('noover');
    writeFileSync(join(out, 'coffee-noisy.png'), 'keep me');
    const inputs = [join(SAMPLES, 'coffee-noisy.png'), join(SAMPLES, 'astronaut-256-noisy.png')];
    await expect(runImages(CONFIG, inputs, { out })).rejects.toMatchObject({ code: 'ERR_OUTPUT_EXISTS' });
    expect(readFileSync(join(out, 'coffee-noisy.png'), 'utf8')).toBe('keep me');
    expect(existsSync(join(out, 'astronaut-256-noisy.png'))).toBe(false);
    const summary = await runImages(CONFIG, inputs, { out, overwrite: true, format: 'webp' });
    expect(summary.succeeded).toBe(2);
    expect(statSync(join(out, 'coffee-noisy.webp')).size).toBeGreaterThan(1000);
  });

  it('writes the same pixels at every PNG compression level, and refuses a level outside 0–9', async () => {
    const input = join(SAMPLES, 'astronaut-256-noisy.png');
    const [level6, level0] = [tmp('png6'), tmp('png0')];
    await runImages(CONFIG, [input], { out: level6 });
    await runImages(CONFIG, [input], { out: level0, pngCompression: 0 });
    const [a, b] = [join(level6, 'astronaut-256-noisy.png'), join(level0, 'astronaut-256-noisy.png')];
    expect((await pixels(a)).data.equals((await pixels(b)).data)).toBe(true);
    expect(statSync(b).size).toBeGreaterThan(statSync(a).size); // level 0 stores, level 6 deflates
    await expect(runImages(CONFIG, [input], { out: tmp('png10'), pngCompression: 10 })).rejects.toMatchObject({
      code: 'ERR_USAGE',
      message: /--png-compression must be an integer from 0 to 9/,
    });
  });

  it('rejects an output folder that is a file, and an unknown registry model', async () => {
    const file = join(tmp('file'), 'out');
    writeFileSync(file, '');
    await expect(runImages(CONFIG, [SAMPLES], { out: file })).rejects.toMatchObject({ code: 'ERR_OUTPUT_WRITE' });
    await expect(
      runImages('no-such-model', [SAMPLES], { out: tmp('x'), registryHome: tmp('home') }),
    ).rejects.toMatchObject({
      code: 'ERR_MODEL_NOT_FOUND',
    });
  });
});

describe('runImages with small fixtures', () => {
  const labels = ['cat', 'dog', 'fox', 'owl', 'eel'];

  it('classifies with top-k labels from the card, probabilities summing to at most 1', async () => {
    const onnx = modelFolder('tiny_cnn.onnx', { task: 'classification', labels });
    const summary = await runImages(onnx, [join(SAMPLES, 'coffee.png'), join(SAMPLES, 'astronaut-256.png')], {
      topK: 3,
    });
    expect(summary).toMatchObject({ task: 'classification', succeeded: 2 });
    for (const file of summary.files) {
      expect(file.predictions).toHaveLength(3);
      const [p1, p2, p3] = file.predictions!;
      expect(p1!.probability).toBeGreaterThanOrEqual(p2!.probability);
      expect(p2!.probability).toBeGreaterThanOrEqual(p3!.probability);
      expect(labels[p1!.index]).toBe(p1!.label);
      expect(p1!.probability + p2!.probability + p3!.probability).toBeLessThanOrEqual(1 + 1e-9);
    }
  });

  it('segments into a mask PNG of class ids and an overlay, both at the source size', async () => {
    // tiny_unet: [1,3,16,16] → [1,3,16,16], read here as 3-class logits.
    const onnx = modelFolder('tiny_unet.onnx', {
      task: 'segmentation',
      inputs: [{ name: 'input', dtype: 'float32', shape: [1, 3, 16, 16] }],
      outputs: [{ name: 'output', dtype: 'float32', shape: [1, 3, 16, 16] }],
    });
    const out = tmp('seg');
    const summary = await runImages(onnx, [join(SAMPLES, 'coffee.png')], { out });
    expect(summary.succeeded).toBe(1);
    const mask = await pixels(join(out, 'coffee.mask.png'));
    expect(await sharp(join(out, 'coffee.mask.png')).metadata()).toMatchObject({
      width: 400,
      height: 300,
      channels: 1,
    });
    expect(mask.data.reduce((m, v) => Math.max(m, v), 0)).toBeLessThanOrEqual(2);
    expect(await pixels(join(out, 'coffee.overlay.png'))).toMatchObject({ width: 400, height: 300, channels: 3 });
  });

  it('refuses a task the model output cannot serve, or labels that do not match it, before reading any image', async () => {
    const unet = modelFolder('tiny_unet.onnx'); // [1,3,16,16] → [1,3,16,16]
    await expect(runImages(unet, [SAMPLES], { task: 'classification' })).rejects.toMatchObject({
      code: 'ERR_USAGE',
      message: /output "output" is \[1, 3, 16, 16\], not \[batch, classes\]/,
      hint: /--task image-to-image/,
    });
    const cnn = modelFolder('tiny_cnn.onnx', { task: 'classification', labels: ['cat', 'dog', 'fox'] });
    await expect(runImages(cnn, [SAMPLES], {})).rejects.toMatchObject({
      code: 'ERR_USAGE',
      message: /outputs 5 classes but its card has 3 labels/,
    });
    const out = join(tmp('refused'), 'out');
    await expect(runImages(cnn, [SAMPLES], { task: 'image-to-image', out })).rejects.toMatchObject({
      code: 'ERR_USAGE',
      message: /image-to-image needs an image-shaped output/,
      hint: /--task classification/,
    });
    expect(existsSync(out)).toBe(false);
  });

  it('asks for --task when the model has no card', async () => {
    const onnx = modelFolder('tiny_cnn.onnx');
    await expect(runImages(onnx, [SAMPLES], {})).rejects.toMatchObject({ code: 'ERR_USAGE', hint: /--task/ });
    const summary = await runImages(onnx, [join(SAMPLES, 'coffee.png')], {
      task: 'classification',
      width: 16,
      height: 16,
    });
    expect(summary.files[0]!.predictions![0]!.label).toMatch(/^class \d$/);
  });
});
