import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { OxvError, type ModelCard, type TensorInfo } from '@oxidizedvision/runtime';
import { resolveModel } from '../run/resolve-model.js';
import type { PackagedModel } from './types.js';

const CHILD = fileURLToPath(new URL('./measure-memory-child.js', import.meta.url));

/** Concrete shapes for one inference: the card's example inputs, else symbolic dims as 1 (spatial: the card's size). */
function exampleShapes(inputs: TensorInfo[], card: ModelCard | null): Record<string, number[]> {
  const shapes: Record<string, number[]> = {};
  for (const input of inputs) {
    const example = card?.example_inputs.find((e) => e.name === input.name);
    if (example) shapes[input.name] = example.shape;
    else {
      const size = card?.preprocess.size ?? [224, 224];
      shapes[input.name] = input.shape.map((d, i) =>
        typeof d === 'number' ? d : input.shape.length === 4 && i >= 2 ? size[i - 2]! : 1,
      );
    }
  }
  return shapes;
}

async function measureMemory(onnx: string, shapes: Record<string, number[]>): Promise<number> {
  try {
    const { stdout } = await promisify(execFile)(process.execPath, [CHILD, onnx, JSON.stringify(shapes)], {
      env: { ...process.env, OMP_NUM_THREADS: '1' },
    });
    return (JSON.parse(stdout.trim().split('\n').at(-1)!) as { peak_rss_bytes: number }).peak_rss_bytes;
  } catch (error) {
    throw new OxvError(
      'ERR_MODEL_LOAD',
      `cannot load and run ${onnx} to measure its memory: ${(error as Error).message.split('\n')[0]}`,
      {
        cause: error,
      },
    );
  }
}

/** A bare .onnx (no card): its inputs and outputs as onnxruntime reads them, from a throwaway session. */
async function readOnnxIO(onnx: string): Promise<{ inputs: TensorInfo[]; outputs: TensorInfo[] }> {
  const { createNodeRunner } = await import('@oxidizedvision/runtime/node');
  const runner = await createNodeRunner(onnx, { intraOpThreads: 1, graphOptimizationLevel: 'disabled' });
  try {
    return runner.info();
  } finally {
    await runner.dispose();
  }
}

/** Resolves a model reference and measures what one session of it needs; `memoryBytes` skips the measurement. */
export async function describeModel(ref: string, registryHome?: string, memoryBytes?: number): Promise<PackagedModel> {
  const model = resolveModel(ref, registryHome);
  const { inputs, outputs } = model.card ?? (await readOnnxIO(model.onnx));
  return {
    name: model.name,
    onnx: model.onnx,
    cardPath: model.cardPath,
    dynamicBatch: inputs.every((i) => typeof i.shape[0] === 'string'),
    inputs: inputs.map((i) => ({ name: i.name, dtype: String(i.dtype), shape: [...i.shape] })),
    outputs: outputs.map((o) => ({ name: o.name, dtype: String(o.dtype), shape: [...o.shape] })),
    memoryBytes: memoryBytes ?? (await measureMemory(model.onnx, exampleShapes(inputs, model.card))),
  };
}
