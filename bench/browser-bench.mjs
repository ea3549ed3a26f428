// The browser page against onnxruntime-node on the same machine, same model (the example UNet
// denoiser, 1×3×256×256), same image (the first bundled sample):
// - page load → first result: navigation start to the denoised image on screen, in a fresh chromium
//   profile (no HTTP or WASM code cache), through the page's own ?auto path: fetch ORT + model, create
//   the session, decode, preprocess, one run, draw. Node's counterpart: create the runner, decode with
//   sharp, preprocess, one run (in an already warm process).
// - steady p50: median of --runs runs after the first, timed inside the worker / around runner.run().
// WASM is measured cross-origin isolated with the page's own thread choice (one per core, at most 4),
// isolated with 1 thread forced (?threads=1), and not isolated (no SharedArrayBuffer: 1 thread).
// Usage: node bench/browser-bench.mjs [--rounds 3] [--runs 20]   (results also in bench/out/browser.json)
// page.evaluate() callbacks run in the page, where window exists.
/* global window */
import { performance } from 'node:perf_hooks';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { execFileSync } from 'node:child_process';
import { chromium } from 'playwright-core';
import sharp from 'sharp';
import { build } from 'vite';
import { imageToTensor, parseModelCard } from '@oxidizedvision/runtime';
import { createNodeRunner } from '@oxidizedvision/runtime/node';
import { startStaticServer } from '../apps/demo/scripts/serve-static.mjs';

const { values } = parseArgs({
  options: { rounds: { type: 'string', default: '3' }, runs: { type: 'string', default: '20' } },
});
const rounds = Number(values.rounds);
const runs = Number(values.runs);
const root = new URL('..', import.meta.url).pathname;
const app = join(root, 'apps/demo');
const out = join(root, 'examples/unet-denoiser/out');
const ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)];

async function browserRound(url, query = '') {
  const profile = await mkdtemp(join(tmpdir(), 'oxv-bench-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: ARGS,
  });
  try {
    const page = await context.newPage();
    await page.goto(`${url}?auto&runs=1${query}`);
    await page.waitForFunction(() => ['done', 'error'].includes(window.__oxv.state), null, { timeout: 120_000 });
    const first = await page.evaluate(() => ({
      ...window.__oxv.timings,
      shownAt: window.__oxv.shownAt,
      error: window.__oxv.error,
      choice: window.__oxv.model?.load.choice,
    }));
    if (first.error) throw new Error(`page error: ${first.error.code}: ${first.error.message}`);
    await page.fill('#repeats', String(runs + 1));
    await page.click('#run');
    await page.waitForFunction(() => window.__oxv.state === 'done', null, { timeout: 300_000 });
    const steady = await page.evaluate(() => window.__oxv.timings.steadyP50Ms);
    return {
      firstResultMs: first.shownAt,
      loadMs: first.loadMs,
      firstRunMs: first.firstMs,
      steadyP50Ms: steady,
      backend: `${first.choice.provider} ×${first.choice.threads}`,
    };
  } finally {
    await context.close();
    await rm(profile, { recursive: true, force: true });
  }
}

async function nodeRound(imagePath) {
  const started = performance.now();
  const card = parseModelCard(await readFile(join(out, 'unet-denoiser.card.json'), 'utf8'), 'card');
  const runner = await createNodeRunner(join(out, 'unet-denoiser.onnx'));
  const loadMs = performance.now() - started;
  const { data, info } = await sharp(imagePath).raw().toBuffer({ resolveWithObject: true });
  const { tensor } = imageToTensor(
    { width: info.width, height: info.height, channels: info.channels, data },
    card.preprocess,
  );
  const feeds = { [runner.info().inputs[0].name]: tensor };
  let t = performance.now();
  await runner.run(feeds);
  const firstRunMs = performance.now() - t;
  const firstResultMs = performance.now() - started;
  const times = [];
  for (let i = 0; i < runs; i++) {
    t = performance.now();
    await runner.run(feeds);
    times.push(performance.now() - t);
  }
  await runner.dispose();
  return { firstResultMs, loadMs, firstRunMs, steadyP50Ms: median(times), backend: 'onnxruntime-node cpu' };
}

execFileSync(process.execPath, [join(app, 'scripts/prepare-assets.mjs')], { stdio: 'inherit' });
await build({ root: app, configFile: join(app, 'vite.config.ts'), logLevel: 'warn' });
const sample = JSON.parse(await readFile(join(app, 'dist/samples/index.json'), 'utf8'))[0];
const isolated = await startStaticServer(join(app, 'dist'));
const plain = await startStaticServer(join(app, 'dist'), { isolate: false });
const results = { 'wasm-page-default': [], 'wasm-1-thread': [], 'wasm-not-isolated': [], node: [] };
try {
  for (let round = 1; round <= rounds; round++) {
    // Rotate the order so drift on a shared machine does not always hit the same case.
    const cases = [
      ['wasm-page-default', () => browserRound(isolated.url)],
      ['wasm-1-thread', () => browserRound(isolated.url, '&threads=1')],
      ['wasm-not-isolated', () => browserRound(plain.url)],
      ['node', () => nodeRound(join(root, 'examples/unet-denoiser/samples', sample))],
    ];
    for (let i = 0; i < cases.length; i++) {
      const [name, measure] = cases[(i + round) % cases.length];
      results[name].push(await measure());
      console.error(`round ${round} ${name}: ${JSON.stringify(results[name].at(-1))}`);
    }
  }
} finally {
  await isolated.close();
  await plain.close();
}

const summary = Object.fromEntries(
  Object.entries(results).map(([name, rs]) => [
    name,
    {
      backend: rs[0].backend,
      ...Object.fromEntries(
        ['firstResultMs', 'loadMs', 'firstRunMs', 'steadyP50Ms'].map((k) => [k, median(rs.map((r) => r[k]))]),
      ),
    },
  ]),
);
// Medians over rounds, with the range (min–max) beside the two headline numbers: on a shared machine the
// spread says how much to trust them. The ratio is per round (same round, same load), then the median.
const range = (name, key) => {
  const xs = results[name].map((r) => r[key]);
  return `${Math.min(...xs).toFixed(0)}–${Math.max(...xs).toFixed(0)}`;
};
const ratio = (name) => median(results[name].map((r, i) => r.steadyP50Ms / results.node[i].steadyP50Ms));
console.log('| case | backend | page load → first result | model load | first run | steady p50 | p50 ÷ node |');
console.log('| --- | --- | --- | --- | --- | --- | --- |');
for (const [name, s] of Object.entries(summary)) {
  const f = (v) => `${v.toFixed(0)} ms`;
  console.log(
    `| ${name} | ${s.backend} | ${f(s.firstResultMs)} (${range(name, 'firstResultMs')}) | ${f(s.loadMs)} | ${f(s.firstRunMs)} | ${f(s.steadyP50Ms)} (${range(name, 'steadyP50Ms')}) | ${ratio(name).toFixed(2)}× |`,
  );
}
await mkdir(join(root, 'bench/out'), { recursive: true });
const meta = {
  loadavg: loadavg(),
  cpus: cpus().length,
  cpu: cpus()[0]?.model,
  sample,
  rounds,
  runs,
  chromium: execFileSync('/usr/bin/chromium', ['--version']).toString().trim(),
};
await writeFile(join(root, 'bench/out/browser.json'), JSON.stringify({ meta, summary, results }, null, 2));
