import {
  analyzeModel,
  type LayerSummary,
  type ModelAnalysis,
  type OpTypeSummary,
  type TensorSummary,
} from '@oxidizedvision/onnx';
import { readModel } from '@oxidizedvision/onnx/node';
import { silentLogger, type LibraryOptions } from '../internal/logger.js';
import { randomFeeds } from './inputs.js';
import { measureModel, type Measurement } from './measure.js';
import { dimsFromCard, resolveModelTarget } from './target.js';

export interface ProfileOptions extends LibraryOptions {
  /** Values for symbolic dims; the model card's example inputs fill the rest, then 1. */
  dims?: Record<string, number>;
  /** Time every node with onnxruntime's profiler. */
  measure?: boolean;
  runs?: number;
  warmup?: number;
  threads?: number | undefined;
  seed?: number;
}

export interface ProfileReport {
  model: string;
  config: string | null;
  ir_version: number;
  opset: number | null;
  opsets: Record<string, number>;
  producer: { name: string; version: string };
  inputs: TensorSummary[];
  outputs: TensorSummary[];
  parameters: {
    /** Elements of every initializer. */
    total: number;
    by_dtype: Record<string, number>;
    /** PyTorch's own count at conversion (from the model card): BatchNorm folded away changes it a little. */
    pytorch: { total: number; trainable: number; buffers: number } | null;
  };
  size: {
    /** The .onnx file plus its external data files. */
    disk_bytes: number;
    file_bytes: number;
    external_bytes: number;
    external_files: string[];
    /** Decoded initializers, as a runtime holds them, by dtype. */
    weights_bytes: number;
    weights_bytes_by_dtype: Record<string, number>;
  };
  macs: number;
  unknown_macs_layers: number;
  dims: Record<string, number>;
  layers: LayerSummary[];
  by_op_type: OpTypeSummary[];
  measured: Measurement | null;
}

export async function profileModel(target: string, options: ProfileOptions = {}): Promise<ProfileReport> {
  const logger = options.logger ?? silentLogger;
  const progress = (stage: string, message: string) => options.onProgress?.({ stage, message });
  const resolved = resolveModelTarget(target);
  progress('read', `Reading ${resolved.onnx}`);
  const { model, bytes, externalBytes, externalFiles } = await readModel(resolved.onnx);
  const analysis: ModelAnalysis = analyzeModel(model, { dims: { ...dimsFromCard(resolved.card), ...options.dims } });
  logger.debug({ dims: analysis.dims, unknown: analysis.unknown_macs_layers }, 'static analysis done');

  let measured: Measurement | null = null;
  if (options.measure) {
    const runs = options.runs ?? 20;
    progress('measure', `Timing every node over ${runs} runs with onnxruntime's profiler`);
    const feeds = randomFeeds(analysis.inputs, analysis.dims, options.seed ?? 0);
    measured = await measureModel(resolved.onnx, feeds, {
      runs,
      warmup: options.warmup ?? 3,
      threads: options.threads,
    });
  }
  const { layers, by_op_type, macs, unknown_macs_layers, dims, weight_bytes } = analysis;
  return {
    model: resolved.onnx,
    config: resolved.config,
    ir_version: analysis.ir_version,
    opset: analysis.opset,
    opsets: analysis.opsets,
    producer: analysis.producer,
    inputs: analysis.inputs,
    outputs: analysis.outputs,
    parameters: { ...analysis.parameters, pytorch: resolved.card?.pytorch.parameters ?? null },
    size: {
      disk_bytes: bytes + externalBytes,
      file_bytes: bytes,
      external_bytes: externalBytes,
      external_files: externalFiles,
      weights_bytes: weight_bytes.total,
      weights_bytes_by_dtype: weight_bytes.by_dtype,
    },
    macs,
    unknown_macs_layers,
    dims,
    layers,
    by_op_type,
    measured,
  };
}
