import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compareTensors, createTensor } from '@oxidizedvision/runtime';
import { launchBrowser } from './helpers/browser.js';
import { REPO, SAMPLES, buildDemo } from './helpers/build.js';
import { nodeReference, psnr } from './helpers/node-reference.js';
import { startStaticServer } from '../scripts/serve-static.mjs';

const ARTIFACTS = join(REPO, 'test-artifacts/browser');
const FIXTURES = join(REPO, 'packages/onnx/test/fixtures');

interface Snapshot {
  state: string;
  error: { code: string; message: string } | null;
  choice: { provider: string; threads: number; reason: string } | null;
  isolated: boolean;
  input: { shape: number[]; data: number[] } | null;
  output: { shape: number[]; data: number[] } | null;
}

type PageTensor = { shape: number[]; data: Float32Array };
/** The slice of the page's window.__oxv the tests read (see src/main.ts). */
interface PageWindow {
  __oxv: Omit<Snapshot, 'choice' | 'isolated' | 'input' | 'output'> & {
    model: { load: { choice: Snapshot['choice'] } } | null;
    input: PageTensor | null;
    output: PageTensor | null;
  };
}

let dist: string;
let server: Awaited<ReturnType<typeof startStaticServer>>;
let browser: Awaited<ReturnType<typeof launchBrowser>>;
let context: BrowserContext;

beforeAll(async () => {
  dist = await buildDemo('demo-page');
  server = await startStaticServer(dist);
  browser = await launchBrowser();
  context = browser.context;
  await mkdir(ARTIFACTS, { recursive: true });
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

async function openPage(): Promise<Page> {
  const page = await context.newPage();
  await page.goto(server.url);
  await page.waitForFunction(() => document.querySelectorAll('#sample option').length > 0);
  return page;
}

/** Waits for the page to settle (done, ready or error) and reads its state, tensors as plain arrays. */
async function settle(page: Page, states: string[]): Promise<Snapshot> {
  await page.waitForFunction((wanted) => wanted.includes((window as unknown as PageWindow).__oxv.state), states, {
    timeout: 30_000,
  });
  return page.evaluate(() => {
    const s = (window as unknown as PageWindow).__oxv;
    const plain = (t: PageTensor | null) => (t ? { shape: t.shape, data: Array.from(t.data) } : null);
    return {
      state: s.state,
      error: s.error,
      choice: s.model?.load.choice ?? null,
      isolated: crossOriginIsolated,
      input: plain(s.input),
      output: plain(s.output),
    };
  });
}

/** Loads the example and a sample with the keyboard; `runs` > 0 then runs it that many times. */
async function runSample(page: Page, sample: string, runs = 2): Promise<Snapshot> {
  // Keyboard only: the first Tab reaches "Load the example denoiser", and every control is a native one.
  await page.keyboard.press('Tab');
  expect(await page.evaluate(() => document.activeElement?.id)).toBe('load-example');
  await page.keyboard.press('Enter');
  expect((await settle(page, ['ready', 'error'])).error).toBeNull();
  await page.selectOption('#sample', sample);
  await page.focus('#use-sample');
  await page.keyboard.press('Enter');
  await page.waitForFunction(() => !(document.getElementById('run') as HTMLButtonElement).disabled);
  if (runs === 0) return settle(page, ['ready']);
  // Two runs (first + one timed) fill every timing row; more only slows the test on a 2-core machine.
  await page.fill('#repeats', String(runs));
  await page.focus('#run');
  await page.keyboard.press('Enter');
  return settle(page, ['done', 'error']);
}

describe('demo page (chromium, onnxruntime-web WASM)', () => {
  it.each(['astronaut-256-noisy.png', 'coffee-noisy.png'])(
    'denoises %s with the same input tensor as Node (≤ 1/255) and output ≥ 40 dB PSNR',
    async (sample) => {
      const page = await openPage();
      const [browserRun, node] = await Promise.all([runSample(page, sample), nodeReference(join(SAMPLES, sample))]);
      await page.screenshot({ path: join(ARTIFACTS, `denoise-${sample}`), fullPage: true });
      expect(browserRun.error).toBeNull();
      expect(browserRun.input!.shape).toEqual([...node.input.shape]);
      const inputDiff = compareTensors(
        node.input,
        createTensor('float32', browserRun.input!.shape, Float32Array.from(browserRun.input!.data)),
      );
      expect(inputDiff.max_abs_error).toBeLessThanOrEqual(1 / 255);
      expect(psnr(node.output, browserRun.output!)).toBeGreaterThanOrEqual(40);
      // Served with COOP/COEP and no GPU: multi-threaded WASM, and the page says why.
      expect(browserRun.isolated).toBe(true);
      expect(browserRun.choice?.provider).toBe('wasm');
      expect(browserRun.choice?.reason).toMatch(/cross-origin isolated/);
      await expect(page.locator('#timings').textContent()).resolves.toMatch(/Steady p50.*ms/);
      await page.close();
    },
  );
});

describe('demo page detection', () => {
  it('draws the boxes of a detection model and lists its detections in the image pixels', async () => {
    const page = await openPage();
    const http = join(REPO, 'packages/server/test/fixtures/http');
    await page.setInputFiles('#model-file', [join(http, 'colour_boxes.onnx'), join(http, 'colour_boxes.card.json')]);
    expect((await settle(page, ['ready', 'error'])).error).toBeNull();
    // 320x160 stretched to 64x64: one model pixel is 5 x 2.5 image pixels.
    const pixels = Buffer.alloc(320 * 160 * 3);
    for (let y = 40; y < 120; y++) for (let x = 60; x < 200; x++) pixels[(y * 320 + x) * 3] = 240;
    const png = await sharp(pixels, { raw: { width: 320, height: 160, channels: 3 } })
      .png()
      .toBuffer();
    await page.setInputFiles('#image-file', { name: 'red.png', mimeType: 'image/png', buffer: png });
    await page.waitForFunction(() => !(document.getElementById('run') as HTMLButtonElement).disabled);
    await page.click('#run');
    expect((await settle(page, ['done', 'error'])).error).toBeNull();
    await page.screenshot({ path: join(ARTIFACTS, 'detection.png'), fullPage: true });
    const shown = await page.evaluate(() => {
      const s = (window as unknown as { __oxv: { detections: { label: string; box: number[] }[] | null } }).__oxv;
      const canvas = document.getElementById('output-canvas') as HTMLCanvasElement;
      // The outline is drawn just inside the box's left edge, over the red fill.
      const x = Math.round(s.detections?.[0]?.box[0] ?? 0);
      const edge = canvas.getContext('2d')!.getImageData(x, 80, 1, 1).data;
      return { detections: s.detections, size: [canvas.width, canvas.height], edge: [...edge].slice(0, 3) };
    });
    expect(shown.size).toEqual([320, 160]);
    expect(shown.detections).toHaveLength(1);
    expect(shown.detections![0]!.label).toBe('red');
    shown.detections![0]!.box.forEach((v, i) => expect(Math.abs(v - [60, 40, 200, 120][i]!)).toBeLessThanOrEqual(5));
    expect(shown.edge).not.toEqual([240, 0, 0]);
    await expect(page.locator('#detections').textContent()).resolves.toMatch(/red — 94\.1% at \[/);
    await page.close();
  });
});

describe('demo page offline', () => {
  it('runs the example again after its server has gone (service worker cache)', async () => {
    const own = await startStaticServer(dist);
    const page = await context.newPage();
    try {
      await page.goto(`${own.url}?runs=1`);
      await page.waitForFunction(() => navigator.serviceWorker.controller !== null, null, { timeout: 20_000 });
      // Now controlled: loading fetches the model, the sample and ORT through the worker into its cache.
      expect((await runSample(page, 'astronaut-256-noisy.png', 0)).error).toBeNull();
    } finally {
      await own.close();
    }
    await page.reload();
    await page.waitForFunction(() => document.querySelectorAll('#sample option').length > 0);
    const offline = await runSample(page, 'astronaut-256-noisy.png', 1);
    await page.screenshot({ path: join(ARTIFACTS, 'offline.png'), fullPage: true });
    expect(offline.error).toBeNull();
    expect(offline.output?.data.length).toBe(3 * 256 * 256);
    await page.close();
  });
});

describe('demo page errors are visible messages', () => {
  async function expectError(page: Page, name: string, code: string, pattern: RegExp): Promise<void> {
    const snapshot = await settle(page, ['error']);
    await page.screenshot({ path: join(ARTIFACTS, `error-${name}.png`), fullPage: true });
    expect(snapshot.error?.code).toBe(code);
    const alert = page.getByRole('alert');
    expect(await alert.isVisible()).toBe(true);
    expect(await alert.textContent()).toMatch(pattern);
    await page.close();
  }

  it('rejects a file that is not ONNX', async () => {
    const page = await openPage();
    await page.setInputFiles('#model-file', join(FIXTURES, 'not_onnx.onnx'));
    await expectError(page, 'not-onnx', 'ERR_MODEL_LOAD', /could not load model/);
  });

  it('rejects a model whose input is not a rank-4 image', async () => {
    const page = await openPage();
    await page.setInputFiles('#model-file', join(FIXTURES, 'tiny_mlp.onnx'));
    await expectError(page, 'wrong-rank', 'ERR_INPUT_SHAPE', /wrong input rank.*\[2, 4, 16\]/);
  });

  it('rejects an image larger than 8192 px a side', async () => {
    const page = await openPage();
    const wide = await sharp({ create: { width: 8193, height: 2, channels: 3, background: '#808080' } })
      .png()
      .toBuffer();
    await page.setInputFiles('#image-file', { name: 'wide.png', mimeType: 'image/png', buffer: wide });
    await expectError(page, 'too-large', 'ERR_INPUT_SHAPE', /image too large: 8193×2/);
  });

  it('says WebGPU is unavailable when it is asked for without a GPU', async () => {
    const page = await openPage();
    await page.selectOption('#backend', 'webgpu');
    await page.click('#load-example');
    await expectError(page, 'no-webgpu', 'ERR_BACKEND_UNAVAILABLE', /WebGPU is not available here/);
  });

  it('rejects an image that cannot be decoded', async () => {
    const page = await openPage();
    const bytes = await readFile(join(FIXTURES, 'not_onnx.onnx'));
    await page.setInputFiles('#image-file', { name: 'broken.png', mimeType: 'image/png', buffer: bytes });
    await expectError(page, 'bad-image', 'ERR_IMAGE_DECODE', /could not decode the image/);
  });
});
