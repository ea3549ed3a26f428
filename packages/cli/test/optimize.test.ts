import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO, STACK_LINE, cli } from './helpers/cli.js';

const fixture = (name: string) => join(REPO, 'packages/onnx/test/fixtures', name);
const tmp = () => mkdtempSync(join(tmpdir(), 'oxv-cli-opt-'));

describe('oxidizedvision optimize', () => {
  it('quantizes to int8 and prints size, speed, accuracy and what onnxruntime fused', async () => {
    const out = join(tmp(), 'q.onnx');
    const result = await cli([
      'optimize',
      fixture('tiny_cnn.onnx'),
      '-o',
      out,
      '--quantize',
      'int8',
      '--runs',
      '3',
      '--threads',
      '1',
      '--calibration-samples',
      '2',
    ]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/│ Size\s+│/);
    expect(result.stdout).toMatch(/│ Latency \(median\)\s+│/);
    expect(result.stdout).toContain('onnxruntime runs: QLinearConv 3');
    expect(result.stderr).toContain('warning: calibrating on seeded random inputs');
    expect(existsSync(out)).toBe(true);
  });

  it('prints the report as JSON with --json', async () => {
    const out = join(tmp(), 'h.onnx');
    const result = await cli([
      'optimize',
      fixture('tiny_unet.onnx'),
      '-o',
      out,
      '--quantize',
      'fp16',
      '--keep-fp32',
      'Sigmoid',
      '--runs',
      '2',
      '--json',
    ]);
    expect(result.code, result.stderr).toBe(0);
    const report = JSON.parse(result.stdout);
    expect(report.quantize).toBe('fp16');
    expect(report.fp16.blocked.map((b: { op_type: string }) => b.op_type)).toEqual(
      expect.arrayContaining(['Resize', 'Sigmoid']),
    );
    expect(report.size.ratio).toBeLessThan(0.6);
  });

  it('exits 1 and writes nothing when --min-cosine rejects the result', async () => {
    const out = join(tmp(), 'r.onnx');
    const result = await cli([
      'optimize',
      fixture('tiny_cnn.onnx'),
      '-o',
      out,
      '--quantize',
      'int8',
      '--min-cosine',
      '1',
      '--runs',
      '2',
      '--calibration-samples',
      '2',
    ]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/error: int8 result rejected: cosine 0\.\d+ < --min-cosine 1/);
    expect(result.stderr).not.toMatch(STACK_LINE);
    expect(existsSync(out)).toBe(false);
  });

  it('exits 2 for a missing -o, an unknown mode, or --quantize with --level all', async () => {
    expect((await cli(['optimize', fixture('tiny_cnn.onnx')])).code).toBe(2);
    expect((await cli(['optimize', fixture('tiny_cnn.onnx'), '-o', 'x.onnx', '--quantize', 'int4'])).code).toBe(2);
    const both = await cli([
      'optimize',
      fixture('tiny_cnn.onnx'),
      '-o',
      join(tmp(), 'x.onnx'),
      '--quantize',
      'int8',
      '--level',
      'all',
    ]);
    expect(both.code).toBe(2);
    expect(both.stderr).toMatch(/drop --level all/);
  });
});
