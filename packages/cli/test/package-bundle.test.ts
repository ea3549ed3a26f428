import { execFile } from 'node:child_process';
import { copyFileSync, cpSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { createRng, randomTensor } from '@oxidizedvision/runtime';
import { REPO, cli } from './helpers/cli.js';
import { killStarted, serve, startListening } from './helpers/servers.js';

afterAll(killStarted);

const tmp = (p: string): string => mkdtempSync(join(tmpdir(), `oxv-bundle-${p}-`));

async function infer(url: string, model: string, data: number[]): Promise<{ status: number; body: unknown }> {
  const response = await fetch(`${url}/v2/models/${model}/infer`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ inputs: [{ name: 'input', datatype: 'FP32', shape: [1, 3, 16, 16], data }] }),
  });
  return { status: response.status, body: await response.json() };
}

describe('oxidizedvision package --template server', () => {
  it('installs offline from its tarballs, starts on PORT/HOST, and answers exactly as `serve` does', async () => {
    // A bare .onnx, no card: the bundle is named after the file.
    const onnx = join(tmp('model'), 'tiny.onnx');
    copyFileSync(join(REPO, 'packages/onnx/test/fixtures/tiny_cnn.onnx'), onnx);
    const out = join(tmp('out'), 'tiny-service');
    const packaged = await cli(['package', onnx, '--out', out, '--json']);
    expect(packaged.code, packaged.stderr).toBe(0);
    const report = JSON.parse(packaged.stdout) as { files: string[]; models: { memory_bytes: number }[] };
    expect(report.files).toEqual(
      expect.arrayContaining([
        'package.json',
        'package-lock.json',
        'server.mjs',
        'README.md',
        'models/tiny/1/model.onnx',
      ]),
    );
    // Measured by loading the model, not guessed (it sizes the Kubernetes resource requests).
    expect(report.models[0]!.memory_bytes).toBeGreaterThan(20 * 1024 * 1024);
    const manifest = JSON.parse(readFileSync(join(out, 'package.json'), 'utf8')) as {
      dependencies: Record<string, string>;
    };
    expect(manifest.dependencies['@oxidizedvision/server']).toMatch(/^file:vendor\/oxidizedvision-server-.*\.tgz$/);

    // Installed somewhere else, with no network: only the tarballs beside it and npm's cache.
    const app = join(tmp('install'), 'app');
    cpSync(out, app, { recursive: true });
    await promisify(execFile)('npm', ['install', '--offline', '--no-audit', '--no-fund'], { cwd: app });
    const bundle = await startListening(['server.mjs'], { cwd: app, env: { PORT: '0', HOST: '127.0.0.1' } });
    const served = await serve(['--model', onnx]);

    const data = Array.from(randomTensor('float32', [1, 3, 16, 16], createRng(3)).data as Float32Array);
    const [fromBundle, fromServe] = await Promise.all([
      infer(bundle.url, 'tiny', data),
      infer(served.url, 'tiny', data),
    ]);
    expect(fromBundle.status, JSON.stringify(fromBundle.body)).toBe(200);
    expect(fromServe.status).toBe(200);
    const outputs = (fromBundle.body as { outputs: { shape: number[] }[] }).outputs;
    expect(outputs[0]!.shape).toEqual([1, 5]);
    expect(outputs).toEqual((fromServe.body as { outputs: unknown }).outputs);

    // SIGTERM drains and exits cleanly, as `serve` does.
    bundle.child.kill('SIGTERM');
    served.child.kill('SIGTERM');
    expect(await bundle.exit, bundle.output()).toBe(0);
    expect(await served.exit, served.output()).toBe(0);
  }, 180_000);
});
