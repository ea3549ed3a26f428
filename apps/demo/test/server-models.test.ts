import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildServer, type ModelManager } from '@oxidizedvision/server';
import { optimizeModel } from '@oxidizedvision/tools';
import { launchBrowser } from './helpers/browser.js';
import { EXAMPLE_OUT, REPO, SAMPLES, buildDemo } from './helpers/build.js';
import { serveDenoiser } from './helpers/server.js';
import { startStaticServer } from '../scripts/serve-static.mjs';

const ARTIFACTS = join(REPO, 'test-artifacts/browser');
const TOKEN = 'page-token-42';
const API = '/ui/api/models';
const FILES = `${API}/unet-denoiser/versions/1/files`;

interface Listed {
  name: string;
  version: string;
  task: string | null;
  variants: { variant: string; model: { file: string; bytes: number; url: string }; card: { file: string } | null }[];
}
interface Trial {
  picked: string;
  provider: string;
  runs: number;
  timings: { variant: string; timesMs: number[]; medianMs: number }[];
  failed: unknown[];
}
interface PageWindow {
  __oxv: {
    state: string;
    error: { code: string; message: string } | null;
    variants: Trial | null;
    compare: { psnrDb: number } | null;
    server: { available: boolean } | null;
  };
}

let dir: string;
let dist: string;
let manager: ModelManager;
let open: FastifyInstance;
let guarded: FastifyInstance;
let openUrl: string;
let guardedUrl: string;
let browser: Awaited<ReturnType<typeof launchBrowser>>;

beforeAll(async () => {
  dist = await buildDemo('server-models');
  // The served model, its card, and an int8 variant made the way a user would: optimize -o <stem>.int8.onnx.
  dir = await mkdtemp(join(tmpdir(), 'oxv-ui-models-'));
  for (const f of ['unet-denoiser.onnx', 'unet-denoiser.card.json']) await copyFile(join(EXAMPLE_OUT, f), join(dir, f));
  await optimizeModel(join(dir, 'unet-denoiser.onnx'), {
    output: join(dir, 'unet-denoiser.int8.onnx'),
    quantize: 'int8',
    calibrate: SAMPLES,
    calibrationSamples: 2,
    speedRuns: 1,
    threads: 1,
    register: false,
  });
  // Files beside the model that are not variants: never listed, never served.
  await writeFile(join(dir, 'notes.txt'), 'not for the browser');
  await writeFile(join(dir, 'unet-denoiser.int8.old.onnx'), 'not a variant name');
  manager = serveDenoiser(join(dir, 'unet-denoiser.onnx'));
  open = buildServer({ manager, uiDir: dist });
  guarded = buildServer({ manager, uiDir: dist, inferenceToken: TOKEN });
  await manager.start();
  openUrl = await open.listen({ host: '127.0.0.1', port: 0 });
  guardedUrl = await guarded.listen({ host: '127.0.0.1', port: 0 });
  browser = await launchBrowser();
  await mkdir(ARTIFACTS, { recursive: true });
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await open?.close();
  await guarded?.close();
  await manager?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** A GET with the path sent exactly as written (fetch would resolve "..", which is what is being tested). */
function rawGet(
  base: string,
  path: string,
  token?: string,
): Promise<{ status: number; headers: Record<string, unknown>; body: Buffer }> {
  const { hostname, port } = new URL(base);
  return new Promise((resolve, reject) => {
    const req = request({ hostname, port, path, headers: token ? { authorization: `Bearer ${token}` } : {} }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    req.on('error', reject);
    req.end();
  });
}

const median = (values: number[]): number => {
  const s = [...values].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

describe('serve --ui model API', () => {
  it('lists each served model with its variants, their URLs and byte sizes, cross-origin isolated', async () => {
    const res = await rawGet(openUrl, API);
    expect(res.status).toBe(200);
    expect(res.headers['cross-origin-embedder-policy']).toBe('require-corp');
    expect(res.headers['cross-origin-opener-policy']).toBe('same-origin');
    expect(res.headers['cross-origin-resource-policy']).toBe('same-origin');
    const { models } = JSON.parse(res.body.toString()) as { models: Listed[] };
    expect(models).toHaveLength(1);
    const [model] = models;
    expect(model).toMatchObject({ name: 'unet-denoiser', version: '1', task: 'image-to-image' });
    expect(model!.variants.map((v) => [v.variant, v.model.file, v.card?.file])).toEqual([
      ['default', 'unet-denoiser.onnx', 'unet-denoiser.card.json'],
      ['int8', 'unet-denoiser.int8.onnx', 'unet-denoiser.int8.card.json'],
    ]);
    for (const v of model!.variants) {
      expect(v.model.url).toBe(`${FILES}/${v.model.file}`);
      expect(v.model.bytes).toBe((await readFile(join(dir, v.model.file))).length);
    }
  });

  it('streams exactly the listed files and answers 404 for anything else, traversal included', async () => {
    for (const file of ['unet-denoiser.onnx', 'unet-denoiser.int8.onnx']) {
      const res = await rawGet(openUrl, `${FILES}/${file}`);
      expect(res.status).toBe(200);
      expect(res.headers['cross-origin-resource-policy']).toBe('same-origin');
      expect(res.body.equals(await readFile(join(dir, file)))).toBe(true);
    }
    // Cards come without the converting machine's folders: the same card, its paths cut to file names.
    const card = await rawGet(openUrl, `${FILES}/unet-denoiser.card.json`);
    expect(card.status).toBe(200);
    const original = JSON.parse(await readFile(join(dir, 'unet-denoiser.card.json'), 'utf8'));
    const sent = JSON.parse(card.body.toString('utf8'));
    expect(original.source.path).toMatch(/^\//);
    expect(sent.source.path).toBe(basename(original.source.path));
    expect(sent.python.executable).toBe(basename(original.python.executable));
    expect(card.body.toString('utf8')).not.toContain(dirname(original.source.path));
    expect({ ...sent, source: original.source, python: original.python }).toEqual(original);
    const refused = [
      `${FILES}/notes.txt`,
      `${FILES}/unet-denoiser.int8.old.onnx`,
      `${FILES}/unet-denoiser.pt`,
      `${FILES}/..%2F..%2F..%2Fpackage.json`,
      `${FILES}/%2e%2e`,
      `${FILES}/%2Fetc%2Fpasswd`,
      `${FILES}/../../../../../etc/passwd`,
      `${API}/unet-denoiser/versions/2/files/unet-denoiser.onnx`,
      `${API}/other/versions/1/files/unet-denoiser.onnx`,
    ];
    for (const path of refused) {
      const res = await rawGet(openUrl, path);
      expect([path, res.status]).toEqual([path, 404]);
      expect(res.body.length).toBeLessThan(300);
    }
  });

  it('needs the inference token when the server has one; the page itself stays open', async () => {
    for (const path of [API, `${FILES}/unet-denoiser.onnx`]) {
      const missing = await rawGet(guardedUrl, path);
      expect(missing.status).toBe(401);
      expect(missing.headers['cross-origin-embedder-policy']).toBe('require-corp');
      expect((await rawGet(guardedUrl, path, 'wrong')).status).toBe(401);
      expect((await rawGet(guardedUrl, path, TOKEN)).status).toBe(200);
    }
    expect((await rawGet(guardedUrl, '/ui/')).status).toBe(200);
  });
});

async function serverListing(page: Page): Promise<void> {
  await page.waitForFunction(() => (window as unknown as PageWindow).__oxv.server !== null);
}

describe('page: models on this server', () => {
  it('loads a model picked from the server, keeps the fastest measured variant and matches the server (≥ 40 dB)', async () => {
    const page = await browser.context.newPage();
    await page.goto(`${openUrl}/ui/?runs=1`);
    await serverListing(page);
    // Keyboard only: the select, then Tab to "Load from server", Enter.
    await page.focus('#server-models');
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('load-server-model');
    await page.keyboard.press('Enter');
    await page.waitForFunction(
      () => {
        const s = (window as unknown as PageWindow).__oxv;
        return s.error !== null || (s.variants !== null && s.state === 'ready');
      },
      null,
      { timeout: 90_000 },
    );
    const { error, variants } = await page.evaluate(() => {
      const s = (window as unknown as PageWindow).__oxv;
      return { error: s.error, variants: s.variants };
    });
    expect(error).toBeNull();
    const trial = variants!;
    expect(trial.failed).toEqual([]);
    expect(trial.provider).toBe('wasm');
    expect(trial.timings.map((t) => t.variant).sort()).toEqual(['default', 'int8']);
    for (const t of trial.timings) {
      expect(t.timesMs).toHaveLength(trial.runs);
      expect(t.medianMs).toBeCloseTo(median(t.timesMs), 6);
    }
    const fastest = [...trial.timings].sort((a, b) => a.medianMs - b.medianMs)[0]!;
    expect(trial.picked).toBe(fastest.variant);
    const status = (await page.locator('#model-status').textContent())!;
    expect(status).toContain(`picked ${trial.picked} on wasm: ${fastest.medianMs.toFixed(1)} ms vs `);
    for (const t of trial.timings.filter((t) => t !== fastest)) {
      expect(status).toContain(`${t.variant} ${t.medianMs.toFixed(1)} ms`);
    }
    expect(status).toContain(`(median of ${trial.runs} runs)`);

    // The kept variant really runs, and agrees with the server's fp32 model on the same input.
    await page.focus('#use-sample');
    await page.keyboard.press('Enter');
    await page.waitForFunction(() => !(document.getElementById('run') as HTMLButtonElement).disabled);
    await page.focus('#run');
    await page.keyboard.press('Enter');
    await page.waitForFunction(() => !(document.getElementById('compare') as HTMLButtonElement).disabled);
    expect(await page.inputValue('#server-model')).toBe('unet-denoiser');
    await page.focus('#compare');
    await page.keyboard.press('Enter');
    const done = await page.waitForFunction(() => {
      const s = (window as unknown as PageWindow).__oxv;
      return s.compare || s.error ? { compare: s.compare, error: s.error } : null;
    });
    const { compare, error: compareError } = (await done.jsonValue()) as {
      compare: { psnrDb: number } | null;
      error: unknown;
    };
    await page.screenshot({ path: join(ARTIFACTS, 'server-model-variants.png'), fullPage: true });
    expect(compareError).toBeNull();
    expect(compare!.psnrDb).toBeGreaterThanOrEqual(40);
    await page.close();
  }, 120_000);

  it('asks for the inference token, then lists the models once it is given', async () => {
    const page = await browser.context.newPage();
    await page.goto(`${guardedUrl}/ui/`);
    await serverListing(page);
    await expect(page.locator('#server-models-status').textContent()).resolves.toMatch(/needs its inference token/);
    expect(await page.getByRole('alert').isVisible()).toBe(false);
    await page.fill('#server-token', TOKEN);
    await page.focus('#refresh-server-models');
    await page.keyboard.press('Enter');
    await page.waitForFunction(
      () => (document.getElementById('server-models') as HTMLSelectElement).options.length > 0,
    );
    await expect(page.locator('#server-models option').first().textContent()).resolves.toMatch(
      /^unet-denoiser v1 \(image-to-image\): default .* MB, int8 .* MB$/,
    );
    await page.close();
  });

  it('says plainly that there is no server repository when the page is served statically', async () => {
    const server = await startStaticServer(dist);
    try {
      const page = await browser.context.newPage();
      await page.goto(server.url);
      await serverListing(page);
      await page.screenshot({ path: join(ARTIFACTS, 'no-server-repository.png'), fullPage: true });
      await expect(page.locator('#server-models-status').textContent()).resolves.toMatch(/^No server repository here/);
      expect(await page.getByRole('alert').isVisible()).toBe(false);
      expect(await page.evaluate(() => (window as unknown as PageWindow).__oxv.error)).toBeNull();
      expect(await page.locator('#load-server-model').isDisabled()).toBe(true);
      await page.close();
    } finally {
      await server.close();
    }
  });
});
