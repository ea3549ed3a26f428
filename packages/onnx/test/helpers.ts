import { fileURLToPath } from 'node:url';
import { createRng, createTensor, randomTensor, type Tensor } from '@oxidizedvision/runtime';
import { createNodeRunner } from '@oxidizedvision/runtime/node';

// The runtime's tests own the OxvError assertions; these tests use the same ones.
export { expectOxvError } from '../../runtime/test/helpers.js';

export function fixturePath(name: string): string {
  return fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));
}

/** Runs a model (path or bytes) on onnxruntime-node with one thread and returns its outputs by name. */
export async function runModel(
  source: string | Uint8Array,
  feeds: Record<string, Tensor>,
  graphOptimizationLevel: 'disabled' | 'basic' | 'all' = 'all',
): Promise<Record<string, Tensor>> {
  const runner = await createNodeRunner(source, { intraOpThreads: 1, graphOptimizationLevel });
  try {
    return await runner.run(feeds);
  } finally {
    await runner.dispose();
  }
}

export function seededInput(shape: number[], seed = 7): Tensor {
  return randomTensor('float32', shape, createRng(seed));
}

export { createTensor };
