/**
 * int8 / fp16 benchmark of `oxidizedvision optimize` against fp32 and against onnxruntime's own Python
 * quantizer, on onnxruntime-node, all in one process with interleaved timing. Not part of the test suite.
 *
 *   npm run build
 *   npx oxidizedvision convert bench/quantize-resnet18.yml            (random init, see the config)
 *   npx oxidizedvision convert bench/quantize-mobilenet_v3_small.yml
 *   /usr/bin/python3 bench/quantize_make_images.py /tmp/oxv-quantize-bench/images
 *   python3 -m venv /tmp/ortq && /tmp/ortq/bin/pip install onnxruntime numpy onnx sympy
 *   node bench/quantize-bench.mjs [--rounds 5] [--runs 20] [--only resnet18]
 *
 * Writes bench/quantize-results.json and prints a Markdown table for docs/benchmarks.md.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { performance } from 'node:perf_hooks';
import { compareTensors, createTensor } from '@oxidizedvision/runtime';
import { createNodeSession, toNodeTensor } from '@oxidizedvision/runtime/node';
import { decodeModel } from '@oxidizedvision/onnx';
import { executedOpCounts, optimizeModel, readModelCard, decodeImage } from '@oxidizedvision/tools';
import { imageToTensor } from '@oxidizedvision/runtime';

const REPO = join(dirname(fileURLToPath(import.meta.url)), '..');
const WORK = '/tmp/oxv-quantize-bench';
const IMAGES = join(WORK, 'images');
const PYTHON = process.env.ORTQ_PYTHON ?? '/tmp/ortq/bin/python';
const { values: args } = parseArgs({
  options: {
    rounds: { type: 'string', default: '5' },
    runs: { type: 'string', default: '20' },
    only: { type: 'string' },
  },
});

const MODELS = [
  {
    name: 'resnet18',
    onnx: 'bench/out/resnet18.onnx',
    calib: 'classify/calib',
    evalDir: 'classify/eval',
    task: 'classify',
  },
  {
    name: 'mobilenet_v3_small',
    onnx: 'bench/out/mobilenet_v3_small.onnx',
    calib: 'classify/calib',
    evalDir: 'classify/eval',
    task: 'classify',
  },
  {
    name: 'unet-denoiser',
    onnx: 'examples/unet-denoiser/out/unet-denoiser.onnx',
    calib: 'denoise/calib',
    evalDir: null,
    task: 'denoise',
  },
].filter((m) => !args.only || m.name === args.only);

const fromOrt = (t) => createTensor(t.type, t.dims, t.data);
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

async function imageFeeds(card, dir, inputName) {
  const { readdirSync } = await import('node:fs');
  const files = readdirSync(dir)
    .filter((f) => f.endsWith('.png'))
    .sort();
  const feeds = [];
  for (const f of files) {
    const img = await decodeImage(join(dir, f));
    feeds.push({
      [inputName]: toNodeTensor(imageToTensor(img, { ...card.preprocess, size: card.preprocess.size }).tensor),
    });
  }
  return feeds;
}

/** The UNet's real task: PSNR (dB, peak 1) of its output, clamped to [0, 1], against the clean photo. */
async function denoisePairs(card) {
  const dir = join(REPO, 'examples/unet-denoiser/samples');
  const pairs = [];
  for (const stem of ['astronaut-256', 'coffee']) {
    const load = async (f) => imageToTensor(await decodeImage(join(dir, f)), card.preprocess).tensor;
    pairs.push({ stem, noisy: toNodeTensor(await load(`${stem}-noisy.png`)), clean: await load(`${stem}.png`) });
  }
  return pairs;
}

function psnr(output, clean) {
  let se = 0;
  for (let i = 0; i < clean.data.length; i++) se += (Math.min(1, Math.max(0, output.data[i])) - clean.data[i]) ** 2;
  return 10 * Math.log10(1 / (se / clean.data.length));
}

/** Writes the calibration samples as raw float32 for the Python quantizer (the same data ours used). */
function dumpCalibration(feeds, dir) {
  mkdirSync(dir, { recursive: true });
  const [name] = Object.keys(feeds[0]);
  feeds.forEach((f, i) =>
    writeFileSync(
      join(dir, `sample-${i}.bin`),
      new Uint8Array(f[name].data.buffer, f[name].data.byteOffset, f[name].data.byteLength),
    ),
  );
  writeFileSync(join(dir, 'meta.json'), JSON.stringify({ name, shape: feeds[0][name].dims, count: feeds.length }));
}

async function timeInterleaved(variants, feeds, rounds, runs) {
  const sessions = {};
  for (const [k, path] of Object.entries(variants)) sessions[k] = await createNodeSession(path);
  const perRound = Object.fromEntries(Object.keys(variants).map((k) => [k, []]));
  for (const s of Object.values(sessions)) for (let i = 0; i < 5; i++) await s.run(feeds);
  for (let r = 0; r < rounds; r++) {
    const times = Object.fromEntries(Object.keys(variants).map((k) => [k, []]));
    for (let i = 0; i < runs; i++) {
      const order = Object.keys(variants);
      if (i % 2) order.reverse();
      for (const k of order) {
        const t0 = performance.now();
        await sessions[k].run(feeds);
        times[k].push(performance.now() - t0);
      }
    }
    for (const k of Object.keys(variants)) perRound[k].push(median(times[k]));
  }
  for (const s of Object.values(sessions)) await s.release();
  return perRound;
}

async function accuracy(variants, feeds) {
  const sessions = {};
  for (const [k, path] of Object.entries(variants)) sessions[k] = await createNodeSession(path);
  const out = Object.fromEntries(
    Object.keys(variants)
      .filter((k) => k !== 'fp32')
      .map((k) => [k, { cosine: 1, top1_agreement: 0 }]),
  );
  for (const f of feeds) {
    const ref = fromOrt(Object.values(await sessions.fp32.run(f))[0]);
    const refTop = argmax(ref.data);
    for (const k of Object.keys(out)) {
      const got = fromOrt(Object.values(await sessions[k].run(f))[0]);
      out[k].cosine = Math.min(out[k].cosine, compareTensors(ref, got).cosine_similarity);
      out[k].top1_agreement += (argmax(got.data) === refTop) / feeds.length;
    }
  }
  for (const s of Object.values(sessions)) await s.release();
  return out;
}

/** The onnxruntime-node the runtime resolves (this script imports no onnxruntime package itself). */
function ortVersion() {
  const require = createRequire(import.meta.resolve('@oxidizedvision/runtime/node'));
  return require('onnxruntime-node/package.json').version;
}

const argmax = (xs) => xs.reduce((best, x, i) => (x > xs[best] ? i : best), 0);

const results = {
  machine: { cpus: (await import('node:os')).cpus().length, onnxruntime_node: ortVersion() },
  date: new Date().toISOString(),
  models: {},
};
for (const m of MODELS) {
  const onnx = join(REPO, m.onnx);
  if (!existsSync(onnx)) {
    console.error(`skipping ${m.name}: ${m.onnx} missing (convert it first)`);
    continue;
  }
  const dir = join(WORK, m.name);
  mkdirSync(dir, { recursive: true });
  const card = readModelCard(onnx.replace(/\.onnx$/, '.card.json'));
  const inputName = card.inputs[0].name;
  console.error(`\n== ${m.name}`);
  const ours = await optimizeModel(onnx, {
    output: join(dir, 'ours.int8.onnx'),
    quantize: 'int8',
    calibrate: join(IMAGES, m.calib),
    calibrationSamples: 16,
    speedRuns: 10,
    register: false,
  });
  const fp16 = await optimizeModel(onnx, {
    output: join(dir, 'ours.fp16.onnx'),
    quantize: 'fp16',
    speedRuns: 5,
    register: false,
  });
  const calibFeeds = await imageFeeds(card, join(IMAGES, m.calib), inputName);
  dumpCalibration(calibFeeds, join(dir, 'calib'));
  const t0 = performance.now();
  const py = JSON.parse(
    execFileSync(PYTHON, [join(REPO, 'bench/quantize_ort_python.py'), onnx, join(dir, 'calib'), join(dir, 'ort')], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    })
      .trim()
      .split('\n')
      .pop(),
  );
  console.error(`python quantize_static: ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  const variants = {
    fp32: onnx,
    ours: join(dir, 'ours.int8.onnx'),
    ort_u8s8: join(dir, 'ort.u8s8.onnx'),
    ort_default: join(dir, 'ort.default.onnx'),
  };
  const evalFeeds = m.evalDir
    ? await imageFeeds(card, join(IMAGES, m.evalDir), inputName)
    : (await denoisePairs(card)).map((p) => ({ [inputName]: p.noisy }));
  const timing = await timeInterleaved(variants, evalFeeds[0], Number(args.rounds), Number(args.runs));
  const fused = {};
  for (const k of ['ours', 'ort_u8s8', 'ort_default'])
    fused[k] = (await executedOpCounts(decodeModel(readFileSync(variants[k])))).QLinearConv ?? 0;
  const acc = await accuracy(variants, evalFeeds);
  let denoise = null;
  if (m.task === 'denoise') {
    denoise = {};
    for (const [k, path] of Object.entries(variants)) {
      const s = await createNodeSession(path);
      denoise[k] = {};
      for (const p of await denoisePairs(card))
        denoise[k][p.stem] = psnr(fromOrt(Object.values(await s.run({ [inputName]: p.noisy }))[0]), p.clean);
      await s.release();
    }
  }
  const size = (p) => statSync(p).size;
  results.models[m.name] = {
    fp32_bytes: size(onnx),
    ours: {
      int8_bytes: size(variants.ours),
      fp16_bytes: size(join(dir, 'ours.fp16.onnx')),
      fp16_cosine: fp16.cosine,
      kept_float: ours.int8.kept_float,
      executed_ops: ours.int8.executed_ops,
    },
    ort_python: { ...py, u8s8_bytes: size(variants.ort_u8s8), default_bytes: size(variants.ort_default) },
    qlinearconv: fused,
    median_ms_per_round: timing,
    speedup_vs_fp32: Object.fromEntries(
      Object.keys(variants)
        .filter((k) => k !== 'fp32')
        .map((k) => {
          const ratios = timing.fp32.map((t, i) => t / timing[k][i]);
          return [k, { median: median(ratios), min: Math.min(...ratios), max: Math.max(...ratios) }];
        }),
    ),
    accuracy: acc,
    denoise_psnr_db: denoise,
  };
  console.error(JSON.stringify(results.models[m.name].speedup_vs_fp32), JSON.stringify(acc), JSON.stringify(denoise));
}
writeFileSync(join(REPO, 'bench/quantize-results.json'), `${JSON.stringify(results, null, 2)}\n`);

// Markdown summary.
const f = (x, d = 2) => x.toFixed(d);
console.log(
  '| Model | fp32 ms | ours int8 ms (×) | ORT-py U8S8 ms (×) | ORT-py default ms (×) | QLinearConv ours/U8S8/default | cosine ours / U8S8 / default | fp16 size | fp16 cosine |',
);
console.log('|---|---|---|---|---|---|---|---|---|');
for (const [name, r] of Object.entries(results.models)) {
  const ms = (k) => f(median(r.median_ms_per_round[k]), 1);
  const sp = (k) =>
    `${f(r.speedup_vs_fp32[k].median)}× (${f(r.speedup_vs_fp32[k].min)}–${f(r.speedup_vs_fp32[k].max)})`;
  console.log(
    `| ${name} | ${ms('fp32')} | ${ms('ours')} ${sp('ours')} | ${ms('ort_u8s8')} ${sp('ort_u8s8')} | ${ms('ort_default')} ${sp('ort_default')} | ${r.qlinearconv.ours}/${r.qlinearconv.ort_u8s8}/${r.qlinearconv.ort_default} | ${f(r.accuracy.ours.cosine, 5)} / ${f(r.accuracy.ort_u8s8.cosine, 5)} / ${f(r.accuracy.ort_default.cosine, 5)} | ${f(r.ours.fp16_bytes / r.fp32_bytes, 3)}× | ${f(r.ours.fp16_cosine, 6)} |`,
  );
}
