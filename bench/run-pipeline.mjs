#!/usr/bin/env node
// Does `run` keep the model busy? Compares, on the same photos and in alternating rounds:
//   in-process: one onnxruntime-node session (all cores) looping over pre-decoded input tensors;
//   pipeline:   runImages() — decode, tile, infer in the worker pool, blend, encode, write — end to end,
//               pool start-up included.
// Target: pipeline throughput ≥ 85% of in-process. Also measures tiled vs whole-image agreement on a
// larger photo and the time to clean a 4000×3000 one.
// Usage: node bench/run-pipeline.mjs [--count 200] [--rounds 3] [--json]
import { mkdtempSync, readdirSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { performance } from 'node:perf_hooks';
import sharp from 'sharp';
import { createRng, imageToTensor } from '@oxidizedvision/runtime';
import { createNodeRunner } from '@oxidizedvision/runtime/node';
import { decodeImage, exportPaths, loadConfig, readModelCard, runImages } from '@oxidizedvision/tools';

const { values } = parseArgs({
  options: {
    count: { type: 'string', default: '200' },
    rounds: { type: 'string', default: '3' },
    json: { type: 'boolean', default: false },
  },
});
const log = (line) => process.stderr.write(`${line}\n`);
const CONFIG = fileURLToPath(new URL('../examples/unet-denoiser/config.yml', import.meta.url));
const paths = exportPaths(loadConfig(CONFIG));
const spec = readModelCard(paths.card).preprocess;

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
  return summary.images_per_second;
}

const rounds = [];
for (let r = 1; r <= Number(values.rounds); r++) {
  const order = r % 2 ? [inProcess, pipeline] : [pipeline, inProcess];
  const got = {};
  for (const fn of order) got[fn.name] = await fn();
  got.ratio = got.pipeline / got.inProcess;
  log(
    `round ${r}: in-process ${got.inProcess.toFixed(1)} img/s, pipeline ${got.pipeline.toFixed(1)} img/s, ratio ${(got.ratio * 100).toFixed(1)}%`,
  );
  rounds.push(got);
}
await runner.dispose();

// Tiled vs whole on a 1024×768 noisy photo, away from the border: the clean coffee crop upscaled, then
// fresh sigma-25 noise (upscaling the noisy crop would smear the noise into blobs the model never saw).
async function agreement() {
  const dir = mkdtempSync(join(tmpdir(), 'oxv-bench-big-'));
  const big = join(dir, 'big.png');
  const clean = fileURLToPath(new URL('../examples/unet-denoiser/samples/coffee.png', import.meta.url));
  const { data } = await sharp(clean).resize(1024, 768).raw().toBuffer({ resolveWithObject: true });
  const rng = createRng(7);
  for (let i = 0; i < data.length; i++) data[i] = Math.max(0, Math.min(255, Math.round(data[i] + 25 * rng.normal())));
  const noisy = await sharp(data, { raw: { width: 1024, height: 768, channels: 3 } })
    .png()
    .toBuffer();
  await sharp(noisy).toFile(big);
  const load = async (p) => await sharp(p).raw().toBuffer({ resolveWithObject: true });
  const [tiledOut, wholeOut] = [mkdtempSync(join(dir, 't-')), mkdtempSync(join(dir, 'w-'))];
  await runImages(CONFIG, [big], { out: tiledOut });
  await runImages(CONFIG, [big], { out: wholeOut, tile: 0 });
  const [a, b] = [await load(join(tiledOut, 'big.png')), await load(join(wholeOut, 'big.png'))];
  let max = 0,
    sum = 0,
    n = 0,
    within = 0;
  const { width, height } = a.info;
  for (let y = 16; y < height - 16; y++)
    for (let x = 16; x < width - 16; x++)
      for (let c = 0; c < 3; c++) {
        const d = Math.abs(a.data[(y * width + x) * 3 + c] - b.data[(y * width + x) * 3 + c]);
        max = Math.max(max, d);
        sum += d;
        n++;
        within += d <= 1 ? 1 : 0;
      }
  // A 4000×3000 photo, tiled (default 256 tiles, overlap 32).
  const huge = join(dir, 'huge.jpg');
  await sharp(noisy).resize(4000, 3000).jpeg({ quality: 95 }).toFile(huge);
  const t = await runImages(CONFIG, [huge], { out: mkdtempSync(join(dir, 'h-')) });
  return {
    size: '1024x768',
    border: 16,
    max_abs_diff_levels: max,
    mean_abs_diff_levels: sum / n,
    share_within_1: within / n,
    huge_4000x3000_seconds: t.wall_ms / 1000,
  };
}
const tiling = await agreement();
log(
  `tiled vs whole (1024x768, 16 px border excluded): max ${tiling.max_abs_diff_levels}/255, mean ${tiling.mean_abs_diff_levels.toFixed(4)}, ${(tiling.share_within_1 * 100).toFixed(3)}% within 1/255; 4000x3000 tiled in ${tiling.huge_4000x3000_seconds.toFixed(1)} s`,
);

const ratios = rounds.map((r) => r.ratio).sort((a, b) => a - b);
const result = {
  photos: files.length,
  cores: availableParallelism(),
  rounds,
  ratio: { median: ratios[Math.floor(ratios.length / 2)], min: ratios[0], max: ratios.at(-1) },
  tiling,
};
if (values.json) process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
else
  log(
    `pipeline/in-process: median ${(result.ratio.median * 100).toFixed(1)}% (min ${(result.ratio.min * 100).toFixed(1)}%, max ${(result.ratio.max * 100).toFixed(1)}%) — target ≥ 85%`,
  );
