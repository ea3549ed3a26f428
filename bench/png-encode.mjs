#!/usr/bin/env node
// PNG output: OxidizedVision's encoder (packages/runtime/src/node/png.ts) against libvips' level-6 PNG
// (what `run` wrote before), on real model outputs: the example denoiser run on --count benchmark photos
// (bench/run-make-photos.mjs, 256×256) and on the coffee sample (400×300). Prints size (share of the raw
// pixels) and process CPU per image (libvips, and our encoder for images over 1 MiB, deflate in other
// threads, so wall time would hide it), second of two rounds. Every encoding is decoded back and compared with the pixels.
// Usage: node bench/png-encode.mjs [--count 20]   (needs the example converted and `npm run build`)
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import sharp from 'sharp';
import { encodePng, runImages } from '@oxidizedvision/tools';

const { values } = parseArgs({ options: { count: { type: 'string', default: '20' } } });
const here = (p) => fileURLToPath(new URL(p, import.meta.url));
const photos = mkdtempSync(join(tmpdir(), 'oxv-png-photos-'));
execFileSync(process.execPath, [here('./run-make-photos.mjs'), photos, values.count], { stdio: 'ignore' });
const outputs = mkdtempSync(join(tmpdir(), 'oxv-png-out-'));
await runImages(
  here('../examples/unet-denoiser/config.yml'),
  [photos, here('../examples/unet-denoiser/samples/coffee-noisy.png')],
  {
    out: outputs,
    format: 'png',
  },
);

const load = async (file) => {
  const { data, info } = await sharp(file).raw().toBuffer({ resolveWithObject: true });
  return { width: info.width, height: info.height, channels: info.channels, data };
};
const files = readdirSync(outputs).map((f) => join(outputs, f));
const sets = {
  [`${values.count} photos 256x256`]: await Promise.all(files.filter((f) => !f.includes('coffee')).map(load)),
  'coffee 400x300': [await load(files.find((f) => f.includes('coffee')))],
};
const encoders = {
  'libvips level 6 (before)': (i) => sharp(i.data, { raw: i }).png({ compressionLevel: 6 }).toBuffer(),
  ...Object.fromEntries([0, 1, 6, 9].map((level) => [`ours, level ${level}`, (i) => encodePng(i, level)])),
};
const cpuMs = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};

for (const [name, encode] of Object.entries(encoders)) {
  const cells = [];
  for (const images of Object.values(sets)) {
    for (const image of images) {
      const back = await sharp(await encode(image))
        .raw()
        .toBuffer();
      if (!back.equals(Buffer.from(image.data))) throw new Error(`${name}: pixels changed`);
    }
    const reps = Math.max(3, Math.ceil(60 / images.length));
    let bytes = 0;
    let ms = 0;
    for (let round = 0; round < 2; round++) {
      const start = cpuMs();
      bytes = 0;
      for (let r = 0; r < reps; r++) for (const image of images) bytes += (await encode(image)).length;
      ms = (cpuMs() - start) / (reps * images.length);
    }
    const raw = images.reduce((sum, i) => sum + i.data.length, 0) * reps;
    cells.push(
      `${(bytes / reps / images.length / 1024).toFixed(1)} KiB (${((100 * bytes) / raw).toFixed(1)}%), ${ms.toFixed(2)} ms`,
    );
  }
  console.log(`${name.padEnd(26)} ${cells.join(' | ')}`);
}
console.log(`# columns: ${Object.keys(sets).join(' | ')}; size per image (share of raw pixels), process CPU per image`);
