#!/usr/bin/env node
/**
 * Copies what the page serves but git does not hold into out/public/ (gitignored; vite's publicDir): onnxruntime-web's WASM
 * binary and loader (the page must work offline, so no CDN), the example denoiser and its card, and the
 * sample photos. Converts the example first when examples/unet-denoiser/out/ is missing (needs PyTorch).
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readdirSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const app = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const root = resolve(app, '../..');
const example = join(root, 'examples/unet-denoiser');
// Under out/: gitignored, and skipped by eslint and prettier like every other generated folder.
const publicDir = join(app, 'out/public');

// The JSEP build is the one that has both the WASM and the WebGPU execution providers.
const ORT_FILES = ['ort-wasm-simd-threaded.jsep.mjs', 'ort-wasm-simd-threaded.jsep.wasm'];

/**
 * Copies unless an identical-size file with a newer mtime is there, through a temporary name and a
 * rename: the browser test files build in parallel, and a reader must never see a half-written file.
 */
function copyInto(folder, files, from) {
  mkdirSync(join(publicDir, folder), { recursive: true });
  for (const file of files) {
    const source = join(from, file);
    const target = join(publicDir, folder, file);
    const [a, b] = [statSync(source), existsSync(target) ? statSync(target) : null];
    if (b && b.size === a.size && b.mtimeMs >= a.mtimeMs) continue;
    const temporary = `${target}.${process.pid}.tmp`;
    copyFileSync(source, temporary);
    renameSync(temporary, target);
  }
}

// The package exports no package.json; its Node entry sits in dist/ beside the browser files.
const ortDist = dirname(createRequire(import.meta.url).resolve('onnxruntime-web'));
copyInto('ort', ORT_FILES, ortDist);

if (!existsSync(join(example, 'out/unet-denoiser.onnx'))) {
  console.error('prepare-assets: converting the example denoiser (examples/unet-denoiser/config.yml)');
  execFileSync('npx', ['oxidizedvision', 'convert', join(example, 'config.yml')], { cwd: root, stdio: 'inherit' });
}
copyInto('models', ['unet-denoiser.onnx', 'unet-denoiser.card.json'], join(example, 'out'));

const samples = readdirSync(join(example, 'samples'))
  .filter((f) => f.endsWith('.png'))
  .sort();
// Noisy ones first: they are what a denoiser is for, and the first sample is the ?auto default.
samples.sort((a, b) => Number(b.includes('noisy')) - Number(a.includes('noisy')));
copyInto('samples', samples, join(example, 'samples'));
const index = join(publicDir, 'samples/index.json');
writeFileSync(`${index}.${process.pid}.tmp`, JSON.stringify(samples));
renameSync(`${index}.${process.pid}.tmp`, index);
console.error(
  `prepare-assets: ${ORT_FILES.length} ORT files, the example model and ${samples.length} samples → ${publicDir}`,
);
