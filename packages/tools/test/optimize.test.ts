import { existsSync, mkdtempSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { openRegistry, optimizeModel } from '@oxidizedvision/tools';
import { modelFolder, onnxFixture } from './helpers/onnx-fixtures.js';

const tmp = () => mkdtempSync(join(tmpdir(), 'oxv-opt-'));
const fast = { speedRuns: 3, threads: 1, calibrationSamples: 4 } as const;

/** A folder of small gradient PNGs, plus a file that is not an image at all. */
async function imageFolder(count: number): Promise<string> {
  const dir = tmp();
  for (let i = 0; i < count; i++) {
    const pixels = Buffer.alloc(20 * 20 * 3, 0).map((_, j) => (j * (i + 3)) % 256);
    await sharp(pixels, { raw: { width: 20, height: 20, channels: 3 } })
      .png()
      .toFile(join(dir, `img${i}.png`));
  }
  writeFileSync(join(dir, 'broken.png'), 'not a png');
  return dir;
}

describe('optimizeModel', () => {
  it('int8: fuses every Conv into QLinearConv, stays accurate, reports size, speed and accuracy', async () => {
    const output = join(tmp(), 'cnn.int8.onnx');
    const report = await optimizeModel(onnxFixture('tiny_cnn.onnx'), { ...fast, output, quantize: 'int8' });
    expect(report.int8!.executed_ops.QLinearConv).toBe(3);
    expect(report.int8!.calibration).toEqual({ source: 'random', samples: 4, method: 'minmax' });
    expect(report.cosine).toBeGreaterThan(0.99);
    expect(report.accuracy[0]).toMatchObject({ output: 'output', psnr_db: null });
    expect(report.size.after_bytes).toBe(statSync(output).size);
    expect(report.speed.runs).toBe(3);
    expect(report.speed.speedup).toBeGreaterThan(0);
    expect(report.warnings.some((w) => /seeded random inputs/.test(w))).toBe(true);
    expect(readdirSync(dirname(output))).toEqual(['cnn.int8.onnx']);
  });

  it('int8 with --calibrate: images through the card preprocessing, unreadable ones skipped with a warning', async () => {
    const input = modelFolder('tiny_cnn.onnx', {});
    const output = join(dirname(input), 'out.onnx');
    const report = await optimizeModel(input, {
      ...fast,
      output,
      quantize: 'int8',
      calibrate: await imageFolder(3),
      calibrationMethod: 'percentile',
      register: false,
    });
    expect(report.int8!.calibration).toEqual({ source: 'images', samples: 3, method: 'percentile' });
    expect(report.warnings.some((w) => /skipping unreadable calibration image .*broken.png/.test(w))).toBe(true);
    expect(report.card).toBe(join(dirname(input), 'out.card.json'));
  });

  it('rejects a result below --min-cosine: ERR_ACCURACY and no file written', async () => {
    const output = join(tmp(), 'rejected.onnx');
    await expect(
      optimizeModel(onnxFixture('tiny_cnn.onnx'), { ...fast, output, quantize: 'int8', minCosine: 1 }),
    ).rejects.toMatchObject({
      code: 'ERR_ACCURACY',
    });
    expect(existsSync(output)).toBe(false);
    expect(readdirSync(dirname(output))).toEqual([]);
  });

  it('fp16: halves the file, keeps Resize in float32, PSNR reported for the image output', async () => {
    const output = join(tmp(), 'unet.fp16.onnx');
    const report = await optimizeModel(onnxFixture('tiny_unet.onnx'), { ...fast, output, quantize: 'fp16' });
    expect(report.size.ratio).toBeLessThan(0.6);
    expect(report.cosine).toBeGreaterThan(0.999);
    expect(report.fp16!.blocked.map((b) => b.op_type)).toContain('Resize');
    expect(report.fp16!.fallback).toEqual([]);
    expect(report.accuracy[0]!.psnr_db).toBeGreaterThan(60);
  });

  it('compares a detector by its detections: rows lined up, counts above 0.5 and how many match', async () => {
    // TopK-free graph with a dynamic detections dim: one box per colour channel above 0.5.
    const detector = fileURLToPath(new URL('../../runtime/test/fixtures/colour_boxes.onnx', import.meta.url));
    const output = join(tmp(), 'boxes.fp16.onnx');
    const report = await optimizeModel(detector, { ...fast, output, quantize: 'fp16' });
    expect(report.detections).not.toBeNull();
    const d = report.detections!;
    expect(d.threshold).toBe(0.5);
    expect(d.reference).toBeGreaterThan(0);
    expect(d).toMatchObject({ optimized: d.reference, matched: d.reference });
    expect(report.accuracy.find((a) => a.output === 'boxes')!.max_abs_error).toBeLessThan(0.5);
    // Not a detector: no detection counts.
    const plain = await optimizeModel(onnxFixture('tiny_cnn.onnx'), { ...fast, output: join(tmp(), 'c.onnx') });
    expect(plain.detections).toBeNull();
  });

  it('int8-dynamic: MatMul/Gemm weights as int8, no calibration', async () => {
    const output = join(tmp(), 'mlp.onnx');
    const report = await optimizeModel(onnxFixture('tiny_mlp.onnx'), { ...fast, output, quantize: 'int8-dynamic' });
    // onnxruntime's basic level has already fused the MatMul and its bias Add into a Gemm.
    expect(report.int8_weights!.quantized.map((q) => q.op_type)).toEqual(['Gemm', 'Gemm']);
    expect(report.size.ratio).toBeLessThan(0.5);
    expect(report.cosine).toBeGreaterThan(0.999);
  });

  it('graph optimization only: --level all warns that the file is tied to this CPU', async () => {
    const output = join(tmp(), 'all.onnx');
    const report = await optimizeModel(onnxFixture('tiny_cnn.onnx'), { ...fast, output, level: 'all' });
    expect(report.quantize).toBeNull();
    expect(report.cosine).toBeGreaterThan(0.99999);
    expect(report.warnings.some((w) => /only on machines with the same instruction set/.test(w))).toBe(true);
    await expect(
      optimizeModel(onnxFixture('tiny_cnn.onnx'), { ...fast, output, level: 'all', quantize: 'int8' }),
    ).rejects.toMatchObject({ code: 'ERR_USAGE' });
  });

  it('registers the result as the next version of a registered input, with its parent', async () => {
    const home = tmp();
    const input = modelFolder('tiny_cnn.onnx', {});
    const registry = openRegistry({ home });
    registry.addVersion({
      name: 'tiny',
      source: 'convert',
      files: { onnx: { path: input, sha256: 'a'.repeat(64), bytes: 1 } },
    });
    registry.close();
    const output = join(dirname(input), 'tiny.int8.onnx');
    const report = await optimizeModel(input, { ...fast, output, quantize: 'int8', registryHome: home });
    expect(report.registered).toEqual({ name: 'tiny', version: 2, parent_version: 1 });
    const reader = openRegistry({ home, readonly: true });
    const v2 = reader.getVersion('tiny', 2);
    reader.close();
    expect(v2).toMatchObject({ source: 'optimize', parentVersion: 1, files: { onnx: { path: output } } });
    expect(v2.notes).toMatch(/int8 QDQ/);
    expect(v2.metadata.optimize).toMatchObject({ level: 'basic', quantize: 'int8' });
  });

  it('fails clearly on a corrupt model and on an output folder that does not exist', async () => {
    await expect(
      optimizeModel(onnxFixture('truncated.onnx'), { ...fast, output: join(tmp(), 'x.onnx') }),
    ).rejects.toMatchObject({ code: 'ERR_ONNX_INVALID' });
    await expect(
      optimizeModel(onnxFixture('tiny_cnn.onnx'), { ...fast, output: join(tmp(), 'no', 'x.onnx') }),
    ).rejects.toMatchObject({ code: 'ERR_OUTPUT_WRITE' });
  });
});
