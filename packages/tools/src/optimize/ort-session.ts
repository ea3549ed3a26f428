import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeModel, encodeModel, type ModelProto } from '@oxidizedvision/onnx';
import { OxvError, isOxvError, type Runner } from '@oxidizedvision/runtime';
import { createNodeRunner, createNodeSession } from '@oxidizedvision/runtime/node';

export type OrtLevel = 'basic' | 'extended' | 'all';

/**
 * onnxruntime's offline optimizer: load with `level` and `optimizedModelFilePath`, and ORT serialises
 * the graph it optimized. Returns that model. 'basic' (constant folding, BatchNorm→Conv, Identity and
 * Dropout removal) is portable; 'extended' adds fusions into com.microsoft ops; 'all' adds the NCHWc
 * layout transform, which ties the file to this CPU's instruction set.
 */
export async function optimizeWithOrt(model: ModelProto | Uint8Array, level: OrtLevel): Promise<ModelProto> {
  const dir = mkdtempSync(join(tmpdir(), 'oxv-ort-opt-'));
  try {
    const out = join(dir, 'optimized.onnx');
    const bytes = model instanceof Uint8Array ? model : encodeModel(model);
    let session;
    try {
      session = await createNodeSession(bytes, { graphOptimizationLevel: level, optimizedModelFilePath: out });
    } catch (error) {
      throw rejectedByOptimizer(error);
    }
    await session.release();
    return decodeModel(readFileSync(out), 'the optimized model');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** A model ORT cannot load is one this command produced or was given to quantize: ERR_QUANTIZE, not a load error. */
function rejectedByOptimizer(error: unknown): unknown {
  if (!isOxvError(error) || error.code !== 'ERR_MODEL_LOAD') return error;
  const reason = error.cause instanceof Error ? error.cause : error;
  return new OxvError('ERR_QUANTIZE', `onnxruntime's optimizer rejected the model: ${reason.message.split('\n')[0]}`, {
    cause: error,
  });
}

/**
 * What onnxruntime actually runs: the op types of the graph after its full ('all') optimization on this
 * machine, e.g. how many Convs became QLinearConv. Quantizing a graph ORT does not fuse makes it slower,
 * so the report shows this rather than assuming.
 */
export async function executedOpCounts(model: ModelProto): Promise<Record<string, number>> {
  const optimized = await optimizeWithOrt(model, 'all');
  const counts: Record<string, number> = {};
  for (const node of optimized.graph!.node) counts[node.opType] = (counts[node.opType] ?? 0) + 1;
  return Object.fromEntries(Object.entries(counts).sort((a, b) => b[1] - a[1]));
}

/** A Runner over an in-memory model; `level` defaults to 'all', what a deployed model gets. */
export async function createModelRunner(
  model: ModelProto | Uint8Array,
  options: { threads?: number | undefined; level?: OrtLevel | 'disabled' } = {},
): Promise<Runner> {
  const bytes = model instanceof Uint8Array ? model : encodeModel(model);
  return createNodeRunner(bytes, {
    graphOptimizationLevel: options.level ?? 'all',
    ...(options.threads ? { intraOpThreads: options.threads } : {}),
  });
}
