import { readFileSync, statSync } from 'node:fs';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { OxvError } from '@oxidizedvision/runtime';
import { profileModel, renderProfileHtml, summariseTrace, writeProfileHtml } from '@oxidizedvision/tools';
import { modelFolder, onnxFixture } from './helpers/onnx-fixtures.js';

describe('profileModel', () => {
  it('reports parameters, sizes, header fields and the hand-counted MACs of a bare .onnx', async () => {
    const report = await profileModel(onnxFixture('tiny_cnn.onnx'));
    expect(report).toMatchObject({
      ir_version: 7,
      opset: 13,
      producer: { name: 'pytorch' },
      macs: 99604,
      dims: { batch: 1 },
    });
    expect(report.parameters).toEqual({ total: 861, by_dtype: { float32: 861 }, pytorch: null });
    expect(report.size).toMatchObject({
      file_bytes: statSync(onnxFixture('tiny_cnn.onnx')).size,
      external_bytes: 0,
      weights_bytes: 861 * 4,
    });
    expect(report.inputs[0]!.shape).toEqual(['batch', 3, 16, 16]);
    expect(report.layers[0]).toMatchObject({
      name: '/conv1/Conv',
      op_type: 'Conv',
      output_shape: [1, 8, 16, 16],
      parameters: 224,
      macs: 55296,
    });
    expect(report.measured).toBeNull();
  });

  it("adds PyTorch's parameter count and the example batch from the model card beside the .onnx", async () => {
    const report = await profileModel(modelFolder('tiny_cnn.onnx', {}));
    expect(report.parameters.pytorch).toEqual({ total: 877, trainable: 877, buffers: 17 });
    expect(report.dims).toEqual({ batch: 2 });
    expect(report.macs).toBe(2 * 99604);
  });

  it('lets explicit dims override the card', async () => {
    const report = await profileModel(modelFolder('tiny_cnn.onnx', {}), { dims: { batch: 3 } });
    expect(report.macs).toBe(3 * 99604);
  });

  it('counts external data files in the size on disk', async () => {
    const report = await profileModel(onnxFixture('tiny_cnn_external.onnx'));
    expect(report.size.external_files).toEqual(['tiny_cnn_external.onnx.data']);
    expect(report.size.disk_bytes).toBe(
      report.size.file_bytes + statSync(onnxFixture('tiny_cnn_external.onnx.data')).size,
    );
    expect(report.macs).toBe(99604);
  });

  it("measures per-node time with onnxruntime's profiler, sorted, with percentages and op-type groups", async () => {
    const report = await profileModel(onnxFixture('tiny_cnn.onnx'), { measure: true, runs: 4, warmup: 1, threads: 1 });
    const m = report.measured!;
    expect(m.runs).toBe(4);
    expect(m.layers.length).toBeGreaterThanOrEqual(5);
    expect(m.layers.map((l) => l.avg_ms)).toEqual([...m.layers.map((l) => l.avg_ms)].sort((a, b) => b - a));
    expect(m.layers.reduce((a, l) => a + l.percent, 0)).toBeCloseTo(100, 6);
    expect(m.by_op_type.find((o) => o.op_type === 'Conv')!.count).toBe(3);
    expect(m.run_ms).toBeGreaterThan(0);
  });

  it('rejects a corrupt model with ERR_ONNX_INVALID', async () => {
    await expect(profileModel(onnxFixture('truncated.onnx'))).rejects.toMatchObject({ code: 'ERR_ONNX_INVALID' });
  });
});

describe('summariseTrace', () => {
  it('averages kernel times over the measured runs only, dropping warm-up runs', () => {
    const run = (dur: number) => ({ cat: 'Session', name: 'model_run', dur });
    const node = (name: string, op: string, dur: number) => ({
      cat: 'Node',
      name: `${name}_kernel_time`,
      dur,
      args: { op_name: op },
    });
    const events = [
      node('a', 'Conv', 1000),
      node('b', 'Relu', 1000),
      run(3000), // warm-up: slow, dropped
      node('a', 'Conv', 300),
      node('b', 'Relu', 100),
      run(500),
      node('a', 'Conv', 500),
      node('b', 'Relu', 100),
      run(700),
      { cat: 'Node', name: 'a_fence_before', dur: 5 },
    ];
    const m = summariseTrace(events, { runs: 2, warmup: 1 });
    expect(m.layers).toEqual([
      { name: 'a', op_type: 'Conv', avg_ms: 0.4, percent: 80 },
      { name: 'b', op_type: 'Relu', avg_ms: 0.1, percent: 20 },
    ]);
    expect(m.run_ms).toBeCloseTo(0.6, 9);
    expect(m.kernel_ms).toBeCloseTo(0.5, 9);
  });
});

describe('profile HTML report', () => {
  it('is self-contained: inline SVG charts of MACs and time, no script and no external URL', async () => {
    const report = await profileModel(onnxFixture('tiny_cnn.onnx'), { measure: true, runs: 2, warmup: 0 });
    const html = renderProfileHtml(report);
    expect(html.match(/<svg /g)!.length).toBe(4);
    expect(html).toContain('MACs by op type');
    expect(html).toContain('Measured time by op type');
    expect(html).not.toMatch(/<script|<link|src="http|href="http/);
    expect(html).toContain('/conv1/Conv');
  });

  it('escapes names and fails with ERR_OUTPUT_WRITE for a folder that does not exist', async () => {
    const report = await profileModel(onnxFixture('tiny_cnn.onnx'));
    report.layers[0]!.name = '<img onerror=x>';
    expect(renderProfileHtml(report)).not.toContain('<img');
    const dir = mkdtempSync(join(tmpdir(), 'oxv-html-'));
    writeProfileHtml(join(dir, 'r.html'), report);
    expect(readFileSync(join(dir, 'r.html'), 'utf8')).toMatch(/^<!doctype html>/);
    let error: unknown;
    try {
      writeProfileHtml(join(dir, 'missing', 'r.html'), report);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(OxvError);
    expect((error as OxvError).code).toBe('ERR_OUTPUT_WRITE');
  });
});
