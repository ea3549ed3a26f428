import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SOFTWARE_WEBGPU, launchBrowser } from './helpers/browser.js';
import { REPO, SAMPLES, buildDemo } from './helpers/build.js';
import { nodeReference, psnr } from './helpers/node-reference.js';
import { startStaticServer } from '../scripts/serve-static.mjs';

const ARTIFACTS = join(REPO, 'test-artifacts/browser');
const SAMPLE = 'astronaut-256-noisy.png';

interface PageWindow {
  __oxv: {
    state: string;
    error: { code: string; message: string } | null;
    model: { load: { choice: { provider: string; reason: string } } } | null;
    output: { shape: number[]; data: Float32Array } | null;
  };
}

let server: Awaited<ReturnType<typeof startStaticServer>>;
let browser: Awaited<ReturnType<typeof launchBrowser>>;

beforeAll(async () => {
  const dist = await buildDemo('webgpu');
  server = await startStaticServer(dist);
  browser = await launchBrowser(SOFTWARE_WEBGPU);
  await mkdir(ARTIFACTS, { recursive: true });
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

describe('demo page on WebGPU (SwiftShader, no GPU)', () => {
  it('denoises the sample on the webgpu backend within 40 dB PSNR of Node, and says webgpu ran', async () => {
    const page = await browser.context.newPage();
    await page.goto(`${server.url}?runs=1`);
    await page.waitForFunction(() => document.querySelectorAll('#sample option').length > 0);
    await page.selectOption('#backend', 'webgpu');
    await page.focus('#load-example');
    await page.keyboard.press('Enter');
    await page.waitForFunction(() => ['ready', 'error'].includes((window as unknown as PageWindow).__oxv.state));
    await page.selectOption('#sample', SAMPLE);
    await page.focus('#use-sample');
    await page.keyboard.press('Enter');
    await page.waitForFunction(() => !(document.getElementById('run') as HTMLButtonElement).disabled);
    await page.focus('#run');
    await page.keyboard.press('Enter');
    // SwiftShader compiles every shader on the CPU: the first run takes ~30 s alone on 2 cores, more in parallel.
    await page.waitForFunction(() => ['done', 'error'].includes((window as unknown as PageWindow).__oxv.state), null, {
      timeout: 180_000,
    });
    const run = await page.evaluate(() => {
      const s = (window as unknown as PageWindow).__oxv;
      const output = s.output ? { shape: s.output.shape, data: Array.from(s.output.data) } : null;
      return { error: s.error, choice: s.model?.load.choice ?? null, output };
    });
    await page.screenshot({ path: join(ARTIFACTS, 'webgpu-denoise.png'), fullPage: true });
    expect(run.error).toBeNull();
    expect(run.choice?.provider).toBe('webgpu');
    await expect(page.locator('#run-status').textContent()).resolves.toMatch(/^Done: webgpu/);
    await expect(page.locator('#timings').textContent()).resolves.toMatch(/Backendwebgpu: WebGPU was asked for/);
    const node = await nodeReference(join(SAMPLES, SAMPLE));
    expect(psnr(node.output, run.output!)).toBeGreaterThanOrEqual(40);
    await page.close();
  }, 240_000);
});
