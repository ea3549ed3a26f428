import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';
import { OxvError, createRng, createTensor, randomTensor, type ErrorCode, type Tensor } from '@oxidizedvision/runtime';
import { createNodeRunner } from '@oxidizedvision/runtime/node';

export function fixturePath(name: string): string {
  return fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));
}

export async function rejection(promise: Promise<unknown>, code: ErrorCode): Promise<OxvError> {
  const error = await promise.then(
    () => undefined,
    (reason: unknown) => reason,
  );
  expect(error, `expected a rejection with ${code}`).toBeInstanceOf(OxvError);
  expect((error as OxvError).code).toBe(code);
  return error as OxvError;
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
