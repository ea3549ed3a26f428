#!/usr/bin/env node
// Does `run` keep the model busy? Compares, on the same photos and in alternating rounds:
//   in-process: one onnxruntime-node session (all cores) looping over pre-decoded input tensors;
//   pipeline:   runImages() — decode, tile, infer in the worker pool, blend, encode, write — timed two
//               ways: end to end (model load included), and after the model load (the pool's workers
//               creating their sessions), which is how the in-process side is timed: its session is
//               created, and warmed with one inference, before its clock starts.
// Target: pipeline throughput after model load ≥ 85% of in-process; the end-to-end ratio is printed beside
// it. Also measures tiled vs whole-image agreement on a
// larger photo, for the example and its half-pixel variant, and the time to clean a 4000×3000 one.
// Usage: node bench/run-pipeline.mjs [--count 200] [--rounds 5] [--json] [--only-tiling]
//   --only-tiling: skip the throughput rounds, measure only the tiling agreement.
import { existsSync, mkdtempSync, readdirSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { performance } from 'node:perf_hooks';
import sharp from 'sharp';
import { createRng, imageToTensor } from '@oxidizedvision/runtime';
import { createNodeRunner } from '@oxidizedvision/runtime/node';
import {
  convertModel,
  decodeImage,
  exportPaths,
  loadConfig,
  readModelCard,
  resolveRunSettings,
  runImages,
} from '@oxidizedvision/tools';

const { values } = parseArgs({
  options: {
    count: { type: 'string', default: '200' },
    rounds: { type: 'string', default: '5' },
    json: { type: 'boolean', default: false },
    'only-tiling': { type: 'boolean', default: false },
  },
});
const log = (line) => process.stderr.write(`${line}\n`);
const CONFIG = fileURLToPath(new URL('../examples/unet-denoiser/config.yml', import.meta.url));
const paths = exportPaths(loadConfig(CONFIG));
const spec = readModelCard(paths.card).preprocess;
// The tiling agreement's models and photo (agreement() below).
const HALF_PIXEL = fileURLToPath(new URL('./tiling-unet-half-pixel.yml', import.meta.url));
const AGREEMENT_SIZE = [2048, 1536];
const BORDER = 16;

if (values['only-tiling']) {
  // agreement() and logTiling() are function declarations further down (hoisted).
  const tiling = await agreement();
  logTiling(tiling);
  if (values.json) process.stdout.write(`${JSON.stringify({ tiling }, null, 2)}\n`);
  process.exit(0);
}

const photos = mkdtempSync(join(tmpdir(), 'oxv-bench-photos-'));
execFileSync(
  process.execPath,
  [fileURLToPath(new URL('./run-make-photos.mjs', import.meta.url)), photos, values.count],
  { stdio: 'inherit' },
);
const files = readdirSync(photos).map((f) => join(photos, f));
const tensors = await Promise.all(files.map(async (f) => imageToTensor(await decodeImage(f), spec).tensor));

// One session on every core: what a plain in-process loop over ready tensors does.
const runner = await createNodeRunner(paths.onnx, { intraOpThreads: availableParallelism(), interOpThreads: 1 });
const inputName = runner.info().inputs[0].name;
async function inProcess() {
  await runner.run({ [inputName]: tensors[0] }); // warm
  const t0 = performance.now();
  for (const t of tensors) await runner.run({ [inputName]: t });
  return tensors.length / ((performance.now() - t0) / 1000);
}
async function pipeline() {
  const out = mkdtempSync(join(tmpdir(), 'oxv-bench-out-'));
  const summary = await runImages(CONFIG, [photos], { out });
  if (summary.failed) throw new Error(`${summary.failed} file(s) failed`);
  return {
    endToEnd: summary.images_per_second,
    afterLoad: summary.succeeded / ((summary.wall_ms - summary.model_load_ms) / 1000),
    modelLoadMs: summary.model_load_ms,
  };
}

const rounds = [];
for (let r = 1; r <= Number(values.rounds); r++) {
  const order = r % 2 ? [inProcess, pipeline] : [pipeline, inProcess];
  const got = {};
  for (const fn of order) got[fn.name] = await fn();
  got.ratio = got.pipeline.afterLoad / got.inProcess;
  got.endToEndRatio = got.pipeline.endToEnd / got.inProcess;
  const pct = (x) => `${(x * 100).toFixed(1)}%`;
  log(
    `round ${r}: in-process ${got.inProcess.toFixed(1)} img/s; pipeline ${got.pipeline.afterLoad.toFixed(1)} img/s after a ${got.pipeline.modelLoadMs.toFixed(0)} ms model load (ratio ${pct(got.ratio)}), ${got.pipeline.endToEnd.toFixed(1)} img/s end to end (${pct(got.endToEndRatio)})`,
  );
  rounds.push(got);
}
await runner.dispose();

// Tiled vs whole-image agreement, issue #6's target: a fully convolutional model's tiled and whole-image
// results agree within 1/255 (after 8-bit encoding) away from the image border. Measured on a 2048×1536
// noisy photo — the clean coffee crop upscaled, then fresh sigma-25 noise, seed 7 (upscaling the noisy crop
// would smear the noise into blobs the model never saw) — with run's default tiling (no --tile/--overlap),
// for two models:
//   example:    examples/unet-denoiser as shipped. Its bilinear upsampling uses align_corners=True (the
//               original's and the checkpoint's training setting), whose sampling grid stretches with the
//               tensor size, so the network is not translation-equivariant: a tile's interior is computed
//               on a different grid than the same pixels in the whole image, and no overlap makes them
//               match exactly. It is not expected to meet the target.
//   half-pixel: the same checkpoint exported with align_corners=False (bench/tiling-unet-half-pixel.yml),
//               translation-equivariant for shifts by multiples of 16: truly fully convolutional.

async function noisyPhoto(dir, width, height) {
  const clean = fileURLToPath(new URL('../examples/unet-denoiser/samples/coffee.png', import.meta.url));
  const { data } = await sharp(clean).resize(width, height).raw().toBuffer({ resolveWithObject: true });
  const rng = createRng(7);
  for (let i = 0; i < data.length; i++) data[i] = Math.max(0, Math.min(255, Math.round(data[i] + 25 * rng.normal())));
  const noisy = await sharp(data, { raw: { width, height, channels: 3 } })
    .png()
    .toBuffer();
  const path = join(dir, `noisy-${width}x${height}.png`);
  await sharp(noisy).toFile(path);
  return { path, noisy };
}

/** The tile and overlap `run` picks for a config when no flag is given. */
function defaultTiling(config) {
  const p = exportPaths(loadConfig(config));
  const card = readModelCard(p.card);
  const s = resolveRunSettings({ name: card.name, onnx: p.onnx, card, cardPath: p.card }, card, {});
  return { tile: s.tile, overlap: s.overlap };
}

async function compare(config, input, dir) {
  const paths = exportPaths(loadConfig(config));
  if (!existsSync(paths.onnx)) {
    log(`converting ${config} (its ONNX is missing)`);
    await convertModel(loadConfig(config), { register: false });
  }
  const load = async (p) => await sharp(p).raw().toBuffer({ resolveWithObject: true });
  const [tiledOut, wholeOut] = [mkdtempSync(join(dir, 't-')), mkdtempSync(join(dir, 'w-'))];
  const t = await runImages(config, [input], { out: tiledOut });
  const w = await runImages(config, [input], { out: wholeOut, tile: 0 });
  if (t.failed || w.failed) throw new Error(`${config}: run failed`);
  const name = basename(input);
  const [a, b] = [await load(join(tiledOut, name)), await load(join(wholeOut, name))];
  let max = 0,
    sum = 0,
    n = 0,
    within = 0;
  const { width, height } = a.info;
  for (let y = BORDER; y < height - BORDER; y++)
    for (let x = BORDER; x < width - BORDER; x++)
      for (let c = 0; c < 3; c++) {
        const d = Math.abs(a.data[(y * width + x) * 3 + c] - b.data[(y * width + x) * 3 + c]);
        max = Math.max(max, d);
        sum += d;
        n++;
        within += d <= 1 ? 1 : 0;
      }
  return {
    ...defaultTiling(config),
    max_abs_diff_levels: max,
    mean_abs_diff_levels: sum / n,
    share_within_1: within / n,
    meets_target: max <= 1,
    tiled_seconds: t.wall_ms / 1000,
    whole_seconds: w.wall_ms / 1000,
  };
}

async function agreement() {
  const dir = mkdtempSync(join(tmpdir(), 'oxv-bench-big-'));
  const [width, height] = AGREEMENT_SIZE;
  const { path: big, noisy } = await noisyPhoto(dir, width, height);
  const example = await compare(CONFIG, big, dir);
  const halfPixel = await compare(HALF_PIXEL, big, dir);
  // A 4000×3000 photo through the example, run defaults (tiled).
  const huge = join(dir, 'huge.jpg');
  await sharp(noisy).resize(4000, 3000).jpeg({ quality: 95 }).toFile(huge);
  const t = await runImages(CONFIG, [huge], { out: mkdtempSync(join(dir, 'h-')) });
  return {
    size: `${width}x${height}`,
    border: BORDER,
    target_max_abs_diff_levels: 1,
    models: { example, half_pixel: halfPixel },
    huge_4000x3000_seconds: t.wall_ms / 1000,
  };
}

function logTiling(tiling) {
  const why = {
    example: 'align_corners=True upsampling is not translation-equivariant, so tiles cannot match the whole image',
    half_pixel: 'align_corners=False, translation-equivariant',
  };
  for (const [name, m] of Object.entries(tiling.models))
    log(
      `tiled (tile ${m.tile}, overlap ${m.overlap}) vs whole, ${name} (${tiling.size}, ${tiling.border} px border excluded): max ${m.max_abs_diff_levels}/255, mean ${m.mean_abs_diff_levels.toFixed(4)}, ${(m.share_within_1 * 100).toFixed(4)}% within 1/255 — ${m.meets_target ? 'meets' : 'misses'} the ≤ 1/255 target (${why[name]})`,
    );
  const { tile, overlap } = tiling.models.example;
  log(
    `4000x3000 through the example, tiled (tile ${tile}, overlap ${overlap}): ${tiling.huge_4000x3000_seconds.toFixed(1)} s`,
  );
}

const tiling = await agreement();
logTiling(tiling);

const spread = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  return { median: sorted[Math.floor(sorted.length / 2)], min: sorted[0], max: sorted.at(-1) };
};
const result = {
  photos: files.length,
  cores: availableParallelism(),
  rounds,
  ratio: spread(rounds.map((r) => r.ratio)),
  endToEndRatio: spread(rounds.map((r) => r.endToEndRatio)),
  tiling,
};
const describe = ({ median, min, max }) =>
  `median ${(median * 100).toFixed(1)}% (min ${(min * 100).toFixed(1)}%, max ${(max * 100).toFixed(1)}%)`;
if (values.json) process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
else {
  log(`pipeline after model load / in-process: ${describe(result.ratio)} — target ≥ 85%`);
  log(`pipeline end to end / in-process: ${describe(result.endToEndRatio)}`);
}
