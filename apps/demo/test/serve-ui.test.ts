import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildServer, type ModelManager } from '@oxidizedvision/server';
import { launchBrowser } from './helpers/browser.js';
import { EXAMPLE_OUT, REPO, buildDemo } from './helpers/build.js';
import { serveDenoiser } from './helpers/server.js';

const ARTIFACTS = join(REPO, 'test-artifacts/browser');

let app: FastifyInstance;
let manager: ModelManager;
let url: string;
let browser: Awaited<ReturnType<typeof launchBrowser>>;

beforeAll(async () => {
  const dist = await buildDemo('serve-ui');
  manager = serveDenoiser(join(EXAMPLE_OUT, 'unet-denoiser.onnx'));
  app = buildServer({ manager, uiDir: dist });
  await manager.start();
  url = await app.listen({ host: '127.0.0.1', port: 0 });
  browser = await launchBrowser();
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await app?.close();
  await manager?.close();
});

describe('serve --ui', () => {
  it('serves the page cross-origin isolated and keeps requests inside the folder', async () => {
    const page = await app.inject({ url: '/ui/' });
    expect(page.statusCode).toBe(200);
    expect(page.headers['cross-origin-embedder-policy']).toBe('require-corp');
    expect(page.headers['cross-origin-opener-policy']).toBe('same-origin');
    expect((await app.inject({ url: '/ui' })).headers.location).toBe('/ui/');
    expect((await app.inject({ url: '/ui/../../package.json' })).statusCode).toBe(404);
    expect((await app.inject({ url: '/ui/%2e%2e/package.json' })).statusCode).toBe(404);
  });

  it('compares the browser result with the server on the same input (≥ 40 dB)', async () => {
    const page = await browser.context.newPage();
    await page.goto(`${url}/ui/?runs=1`);
    await page.waitForFunction(() => document.querySelectorAll('#sample option').length > 0);
    await page.click('#load-example');
    await page.click('#use-sample');
    await page.waitForFunction(() => !(document.getElementById('run') as HTMLButtonElement).disabled);
    await page.click('#run');
    await page.waitForFunction(() => !(document.getElementById('compare') as HTMLButtonElement).disabled);
    await page.click('#compare');
    const result = await page.waitForFunction(() => {
      const s = (window as unknown as { __oxv: { compare: unknown; error: unknown } }).__oxv;
      return s.compare || s.error ? { compare: s.compare, error: s.error, isolated: crossOriginIsolated } : null;
    });
    const { compare, error, isolated } = (await result.jsonValue()) as {
      compare: { psnrDb: number; maxAbsError: number } | null;
      error: unknown;
      isolated: boolean;
    };
    await page.screenshot({ path: join(ARTIFACTS, 'serve-ui-compare.png'), fullPage: true });
    expect(error).toBeNull();
    expect(isolated).toBe(true);
    expect(compare!.psnrDb).toBeGreaterThanOrEqual(40);
    await expect(page.locator('#compare-status').textContent()).resolves.toMatch(/PSNR \d+\.\d dB/);
    await page.close();
  });
});
