#!/usr/bin/env node
// What `run` spends per image outside inference, stage by stage, before and after the pipeline work:
// "before" is the code as of commit 719f867 (bench/run-stages-before.mjs), "after" the built packages.
// Each stage runs alone, one image at a time, on the benchmark photos (bench/run-make-photos.mjs: noisy
// 256×256, JPEG q95 and PNG alternately) and the example denoiser's real outputs for them; the cost is
// process CPU time (every thread: libvips' included) per image, so other load on the machine inflates it
// less than wall time. Before and after alternate within each round; the median over rounds is printed.
// Every stage also checks that before and after produce the same bytes; for PNG files, the same pixels
// (session 3 replaced libvips' PNG writer with our own encoder: other bytes, identical pixels).
// Usage: node bench/run-stages.mjs [--count 40] [--rounds 5] [--json]
// Needs `npx oxidizedvision convert examples/unet-denoiser/config.yml` and `npm run build` first.
import { execFileSync } from 'node:child_process';
import { linkSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { MessageChannel } from 'node:worker_threads';
import { parseArgs } from 'node:util';
import sharp from 'sharp';
import { imageToTensor, planarFromTensor, planarToImage } from '@oxidizedvision/runtime';
import { createNodeRunner } from '@oxidizedvision/runtime/node';
import { decodeImage, exportPaths, loadConfig, readModelCard } from '@oxidizedvision/tools';
import { encodeImage } from '../packages/tools/dist/run/encode.js';
import { postTensors } from '../packages/tools/dist/run/transfer.js';
import * as before from './run-stages-before.mjs';

const { values } = parseArgs({
  options: {
    count: { type: 'string', default: '40' },
    rounds: { type: 'string', default: '5' },
    json: { type: 'boolean', default: false },
  },
});
const log = (line) => process.stderr.write(`${line}\n`);
const CONFIG = fileURLToPath(new URL('../examples/unet-denoiser/config.yml', import.meta.url));
const paths = exportPaths(loadConfig(CONFIG));
const spec = readModelCard(paths.card).preprocess;
const after = { decodeImage, imageToTensor, postTensors, planarFromTensor, planarToImage, encodeImage };

const work = mkdtempSync(join(tmpdir(), 'oxv-stages-'));
const photos = join(work, 'photos');
execFileSync(
  process.execPath,
  [fileURLToPath(new URL('./run-make-photos.mjs', import.meta.url)), photos, values.count],
  {
    stdio: 'inherit',
  },
);
const files = readdirSync(photos).map((f) => join(photos, f));
const jpegs = files.filter((f) => f.endsWith('.jpg'));
const pngs = files.filter((f) => f.endsWith('.png'));

// Inputs for the later stages: decoded photos, their tensors, and the model's real outputs.
const images = await Promise.all(files.map((f) => before.decodeImage(f)));
const tensors = images.map((im) => imageToTensor(im, spec).tensor);
const runner = await createNodeRunner(paths.onnx, { intraOpThreads: 1, interOpThreads: 1 });
const inputName = runner.info().inputs[0].name;
const outputs = [];
for (const t of tensors) outputs.push(Object.values(await runner.run({ [inputName]: t }))[0]);
await runner.dispose();
const planars = outputs.map((o) => before.planarFromTensor(o, spec.layout));
const results = planars.map((p) => before.planarToImage(p.data, p, spec));

/** CPU ms per call of `fn(i)` over `n` calls, awaited one at a time. */
async function cpuPerCall(n, fn) {
  const start = process.cpuUsage();
  for (let i = 0; i < n; i++) await fn(i);
  const used = process.cpuUsage(start);
  return (used.user + used.system) / 1000 / n;
}

// Fresh file names per measurement: libvips caches recent operations by file name, and a real run
// never decodes a file twice.
let copies = 0;
function freshCopies(list) {
  const dir = join(work, `copy-${copies++}`);
  mkdirSync(dir);
  return list.map((f, i) => {
    const to = join(dir, `${i}-${f.slice(f.lastIndexOf('/') + 1)}`);
    linkSync(f, to);
    return to;
  });
}

/** A port pair that echoes what is posted: the worker → main hand-off, measured on one thread. */
const channel = new MessageChannel();
const received = () => new Promise((resolve) => channel.port2.once('message', resolve));
/** A fresh output per call (a transfer detaches it), in a plain ArrayBuffer as onnxruntime-node 1.30 returns. */
const freshOutput = (i) => {
  const o = outputs[i % outputs.length];
  return { dtype: o.dtype, shape: o.shape, data: new Float32Array(o.data) };
};

const outDir = join(work, 'out');
mkdirSync(outDir);
const stages = {
  'decode JPEG (sharp: rotate, sRGB, raw)': {
    n: jpegs.length,
    setup: () => freshCopies(jpegs),
    run: (impl, list) => (i) => impl.decodeImage(list[i]),
  },
  'decode PNG': {
    n: pngs.length,
    setup: () => freshCopies(pngs),
    run: (impl, list) => (i) => impl.decodeImage(list[i]),
  },
  'image → tensor': { n: images.length, run: (impl) => (i) => impl.imageToTensor(images[i], spec) },
  'output hand-off (worker → main)': {
    n: outputs.length,
    setup: () => outputs.map((_, i) => freshOutput(i)),
    run: (impl, fresh) => async (i) => {
      const got = received();
      impl.postTensors(channel.port1, i, { out: fresh[i] });
      await got;
    },
  },
  'planar from tensor': { n: outputs.length, run: (impl) => (i) => impl.planarFromTensor(outputs[i], spec.layout) },
  'denormalise (planar → 8-bit)': {
    n: planars.length,
    run: (impl) => (i) => impl.planarToImage(planars[i].data, planars[i], spec),
  },
  'encode PNG (level 6) + rename': {
    n: results.length,
    run: (impl) => (i) => impl.encodeImage(results[i], join(outDir, `${i}.png`), 'png'),
  },
  'encode JPEG q95 + rename': {
    n: results.length,
    run: (impl) => (i) => impl.encodeImage(results[i], join(outDir, `${i}.jpg`), 'jpeg'),
  },
};

async function sameBytes() {
  const same = (a, b) =>
    a.length === b.length &&
    Buffer.compare(
      Buffer.from(a.buffer, a.byteOffset, a.byteLength),
      Buffer.from(b.buffer, b.byteOffset, b.byteLength),
    ) === 0;
  const checks = {};
  checks.decode = (
    await Promise.all(
      files.map(async (f) => same((await before.decodeImage(f)).data, (await after.decodeImage(f)).data)),
    )
  ).every(Boolean);
  checks.tensor = images.every((im) =>
    same(before.imageToTensor(im, spec).tensor.data, after.imageToTensor(im, spec).tensor.data),
  );
  checks.planar = outputs.every((o) =>
    same(before.planarFromTensor(o, spec.layout).data, after.planarFromTensor(o, spec.layout).data),
  );
  checks.denormalise = planars.every((p) =>
    same(before.planarToImage(p.data, p, spec).data, after.planarToImage(p.data, p, spec).data),
  );
  for (const format of ['png', 'jpeg']) {
    let ok = true;
    for (let i = 0; i < results.length; i++) {
      const [a, b] = [join(outDir, `b${i}.${format}`), join(outDir, `a${i}.${format}`)];
      await before.encodeImage(results[i], a, format);
      await after.encodeImage(results[i], b, format);
      ok &&=
        format === 'png'
          ? (await sharp(a).raw().toBuffer()).equals(await sharp(b).raw().toBuffer())
          : readFileSync(a).equals(readFileSync(b));
    }
    checks[format === 'png' ? 'encode png (pixels)' : 'encode jpeg'] = ok;
  }
  return checks;
}

const identical = await sameBytes();
log(
  `same bytes before/after: ${Object.entries(identical)
    .map(([k, v]) => `${k} ${v ? 'yes' : 'NO'}`)
    .join(', ')}`,
);

const samples = Object.fromEntries(Object.keys(stages).map((k) => [k, { before: [], after: [] }]));
for (const stage of Object.values(stages)) {
  // One untimed pass each, so both are compiled and warm.
  for (const impl of [before, after]) await cpuPerCall(stage.n, stage.run(impl, stage.setup?.()));
}
for (let round = 0; round < Number(values.rounds); round++) {
  for (const [name, stage] of Object.entries(stages)) {
    const order = round % 2 ? ['after', 'before'] : ['before', 'after'];
    for (const which of order) {
      const impl = which === 'before' ? before : after;
      const input = stage.setup?.();
      samples[name][which].push(await cpuPerCall(stage.n, stage.run(impl, input)));
    }
  }
}
channel.port1.close();
rmSync(work, { recursive: true, force: true });

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const rows = Object.entries(samples).map(([stage, s]) => ({
  stage,
  before_ms: median(s.before),
  after_ms: median(s.after),
}));
if (values.json) {
  process.stdout.write(
    `${JSON.stringify({ photos: files.length, rounds: Number(values.rounds), identical, stages: rows }, null, 2)}\n`,
  );
} else {
  log(
    `${'stage'.padEnd(40)} ${'before'.padStart(8)} ${'after'.padStart(8)}   (core-ms per image, median of ${values.rounds} rounds)`,
  );
  for (const r of rows)
    log(`${r.stage.padEnd(40)} ${r.before_ms.toFixed(2).padStart(8)} ${r.after_ms.toFixed(2).padStart(8)}`);
}
