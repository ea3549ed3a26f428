import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO, STACK_LINE, cli } from './helpers/cli.js';

const fixture = (name: string) => join(REPO, 'packages/onnx/test/fixtures', name);

describe('oxidizedvision profile', () => {
  it('prints the summary, a per-layer table with totals and an op-type table', async () => {
    const result = await cli(['profile', fixture('tiny_cnn.onnx')]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain('producer pytorch');
    expect(result.stdout).toContain('input  input: float32 [batch, 3, 16, 16]');
    expect(result.stdout).toContain('parameters 861 (float32 861)');
    expect(result.stdout).toContain('MACs 99.6 K at batch=1');
    expect(result.stdout).toMatch(/│ \/conv1\/Conv\s+│ Conv\s+│ \[1, 8, 16, 16\]\s+│ 224\s+│ 55.3 K/);
    expect(result.stdout).toMatch(/│ Total\s+│ 10 nodes/);
  });

  it('prints the documented JSON shape with --json', async () => {
    const result = await cli(['profile', fixture('tiny_cnn.onnx'), '--json', '--dim', 'batch=2']);
    expect(result.code, result.stderr).toBe(0);
    const report = JSON.parse(result.stdout);
    expect(report.parameters.total).toBe(861);
    expect(report.macs).toBe(2 * 99604);
    expect(Object.keys(report.layers[0]).sort()).toEqual(
      ['domain', 'inputs', 'macs', 'name', 'op_type', 'output_shape', 'outputs', 'parameters'].sort(),
    );
  });

  it('measures and writes the HTML report with --measure --html', async () => {
    const html = join(mkdtempSync(join(tmpdir(), 'oxv-cli-')), 'report.html');
    const result = await cli([
      'profile',
      fixture('tiny_cnn.onnx'),
      '--measure',
      '--runs',
      '3',
      '--threads',
      '1',
      '--html',
      html,
    ]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain("Measured with onnxruntime-node's profiler: 3 runs");
    expect(readFileSync(html, 'utf8')).toContain('Measured time by node');
  });

  it('fails with one clear line (exit 1) for a truncated model, and exit 2 for a bad --dim', async () => {
    const bad = await cli(['profile', fixture('truncated.onnx')]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/error: .*truncated.onnx is not a valid ONNX model/);
    expect(bad.stderr).not.toMatch(STACK_LINE);
    const usage = await cli(['profile', fixture('tiny_cnn.onnx'), '--dim', 'batch']);
    expect(usage.code).toBe(2);
    const missing = join(mkdtempSync(join(tmpdir(), 'oxv-cli-')), 'nope', 'r.html');
    const unwritable = await cli(['profile', fixture('tiny_cnn.onnx'), '--html', missing, '--json']);
    expect(unwritable.code).toBe(1);
    expect(JSON.parse(unwritable.stdout).error.code).toBe('ERR_OUTPUT_WRITE');
    expect(existsSync(missing)).toBe(false);
  });
});
