import { copyFileSync, existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli, REPO, STACK_LINE } from './helpers/cli.js';

const tmp = (): string => mkdtempSync(join(tmpdir(), 'oxv-cli-pkg-'));

describe('oxidizedvision package', () => {
  it('bundles a bare .onnx (no card), named after its file, with a Triton repository', async () => {
    const dir = tmp();
    const onnx = join(dir, 'Tiny_CNN.onnx');
    copyFileSync(join(REPO, 'packages/onnx/test/fixtures/tiny_cnn.onnx'), onnx);
    const out = join(dir, 'bundle');
    const result = await cli(['package', onnx, '--out', out, '--target', 'triton', '--max-batch-size', '4', '--json']);
    expect(result.code, result.stderr).toBe(0);
    const report = JSON.parse(result.stdout) as {
      name: string;
      files: string[];
      models: { name: string; memory_bytes: number }[];
    };
    expect(report.name).toBe('tiny-cnn');
    expect(report.models[0]!.name).toBe('Tiny_CNN');
    expect(report.files).toContain('triton/Tiny_CNN/config.pbtxt');
    expect(report.files).not.toContain('models/Tiny_CNN/1/model.card.json');
  });

  it('exits 2 for an unknown target and 1 for a non-empty --out, with one clear line each', async () => {
    const out = tmp();
    const target = await cli(['package', 'x.onnx', '--out', out, '--target', 'helm']);
    expect(target.code).toBe(2);
    expect(target.stderr).toMatch(/expected a comma-separated list of docker, kubernetes, kserve, triton, got "helm"/);
    writeFileSync(join(out, 'keep'), '');
    const busy = await cli(['package', join(REPO, 'packages/onnx/test/fixtures/tiny_cnn.onnx'), '--out', out]);
    expect(busy.code).toBe(1);
    expect(busy.stderr).toMatch(/is not empty; nothing was written/);
    expect(busy.stderr).not.toMatch(STACK_LINE);
    expect(existsSync(join(out, 'package.json'))).toBe(false);
  });
});
