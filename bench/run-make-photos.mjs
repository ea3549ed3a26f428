#!/usr/bin/env node
// Writes N noisy 256×256 photos for bench/run-pipeline.mjs: seeded random crops (with flips) of the
// example's two clean photographs, plus the Gaussian noise the denoiser was trained on (sigma 25/255),
// as JPEG (quality 95) and PNG alternately so both decoders are exercised.
// Usage: node bench/run-make-photos.mjs <dir> [count=200]
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import { createRng } from '@oxidizedvision/runtime';

const [dir, countText = '200'] = process.argv.slice(2);
if (!dir) throw new Error('usage: node bench/run-make-photos.mjs <dir> [count]');
const SAMPLES = fileURLToPath(new URL('../examples/unet-denoiser/samples/', import.meta.url));
const rng = createRng(6);
const gaussian = () => rng.normal();
const sources = await Promise.all(
  ['coffee.png', 'astronaut-256.png'].map((f) => sharp(join(SAMPLES, f)).raw().toBuffer({ resolveWithObject: true })),
);
mkdirSync(dir, { recursive: true });
for (let i = 0; i < Number(countText); i++) {
  const { data, info } = sources[i % 2];
  const x0 = Math.floor(rng.next() * (info.width - 255));
  const y0 = Math.floor(rng.next() * (info.height - 255));
  const flip = rng.next() < 0.5;
  const out = Buffer.alloc(256 * 256 * 3);
  for (let y = 0; y < 256; y++)
    for (let x = 0; x < 256; x++)
      for (let c = 0; c < 3; c++) {
        const sx = flip ? x0 + 255 - x : x0 + x;
        const v = data[((y0 + y) * info.width + sx) * 3 + c] + gaussian() * 25;
        out[(y * 256 + x) * 3 + c] = Math.max(0, Math.min(255, Math.round(v)));
      }
  const image = sharp(out, { raw: { width: 256, height: 256, channels: 3 } });
  const name = `photo-${String(i).padStart(3, '0')}`;
  await (i % 2
    ? image.png().toFile(join(dir, `${name}.png`))
    : image.jpeg({ quality: 95 }).toFile(join(dir, `${name}.jpg`)));
}
process.stderr.write(`wrote ${countText} photos to ${dir}\n`);
