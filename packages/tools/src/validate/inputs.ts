import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRng, randomTensor, type DType, type Tensor } from '@oxidizedvision/runtime';
import { writeRawTensor } from '../internal/raw-tensor.js';

export interface TestInputs {
  /** One feed per test: input name → tensor. */
  feeds: Record<string, Tensor>[];
  /** The same tensors as raw files for the Python bridge: input name → path. */
  files: Record<string, string>[];
  dir: string;
  /** What each test is: a seeded random input, or an image from validation.images. */
  kinds: ('random' | 'images')[];
}

/** Seeded random inputs with the example shapes recorded at conversion, written where Python can read them. */
export function makeTestInputs(
  specs: { name: string; shape: number[]; dtype: string }[],
  count: number,
  seed: number,
): TestInputs {
  const rng = createRng(seed);
  const dir = mkdtempSync(join(tmpdir(), 'oxv-validate-'));
  const feeds: Record<string, Tensor>[] = [];
  const files: Record<string, string>[] = [];
  for (let test = 0; test < count; test++) {
    const feed: Record<string, Tensor> = {};
    const paths: Record<string, string> = {};
    specs.forEach((spec, index) => {
      const tensor = randomTensor(spec.dtype as DType, spec.shape, rng);
      const path = join(dir, `input_${test}_${index}.bin`);
      writeRawTensor(path, tensor);
      feed[spec.name] = tensor;
      paths[spec.name] = path;
    });
    feeds.push(feed);
    files.push(paths);
  }
  return { feeds, files, dir, kinds: feeds.map(() => 'random' as const) };
}
