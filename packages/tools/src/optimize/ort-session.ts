import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { decodeModel, encodeModel, type ModelProto } from '@oxidizedvision/onnx';
import { OxvError } from '@oxidizedvision/runtime';

export type OrtLevel = 'basic' | 'extended' | 'all';

const QUIET = 3; // ORT warnings (unused initialisers…) would reach the user's terminal; errors still throw

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
    let session: ort.InferenceSession;
    try {
      session = await ort.InferenceSession.create(bytes, {
        graphOptimizationLevel: level,
        optimizedModelFilePath: out,
        logSeverityLevel: QUIET,
      });
    } catch (error) {
      throw new OxvError(
        'ERR_QUANTIZE',
        `onnxruntime's optimizer rejected the model: ${(error as Error).message.split('\n')[0]}`,
        { cause: error },
      );
    }
    await session.release();
    return decodeModel(readFileSync(out), 'the optimized model');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
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

export interface OrtSession {
  run(feeds: Record<string, ort.Tensor>): Promise<Record<string, ort.Tensor>>;
  release(): Promise<void>;
}

export async function createSession(
  model: ModelProto | Uint8Array,
  options: { threads?: number | undefined; level?: OrtLevel | 'disabled' } = {},
): Promise<ort.InferenceSession> {
  const bytes = model instanceof Uint8Array ? model : encodeModel(model);
  try {
    return await ort.InferenceSession.create(bytes, {
      graphOptimizationLevel: options.level ?? 'all',
      logSeverityLevel: QUIET,
      ...(options.threads ? { intraOpNumThreads: options.threads } : {}),
    });
  } catch (error) {
    throw new OxvError(
      'ERR_MODEL_LOAD',
      `onnxruntime-node could not load the model: ${(error as Error).message.split('\n')[0]}`,
      { cause: error },
    );
  }
}
