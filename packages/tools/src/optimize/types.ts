import type { CalibrationMethod, KeptFloat } from '@oxidizedvision/onnx';
import type { LibraryOptions } from '../internal/logger.js';
import type { OutputAccuracy, SpeedComparison } from './evaluate.js';
import type { DetectionAgreement } from './detections.js';
import type { OrtLevel } from './ort-session.js';

import type { QUANTIZE_MODES } from '../config/schema.js';

/** The config's optimize.quantize values, one source for both. */
export type QuantizeMode = (typeof QUANTIZE_MODES)[number];
export const OPTIMIZE_LEVELS = ['basic', 'extended', 'all'] as const;

export interface OptimizeOptions extends LibraryOptions {
  /** Where to write the optimized model (through a temporary file and a rename). */
  output: string;
  /** onnxruntime offline optimization level (default 'basic', portable). */
  level?: OrtLevel;
  quantize?: QuantizeMode | null;
  /** fp16: op types kept in float32, added to the default block list. */
  keepFp32?: string[];
  /** fp16: move nodes whose fp16 output drifts back to float32 (default true). */
  autoFallback?: boolean;
  /** int8: folder of calibration images (through the model card's preprocessing). */
  calibrate?: string | undefined;
  calibrationMethod?: CalibrationMethod;
  /** Calibration images (at most) or random samples (default 16). */
  calibrationSamples?: number;
  seed?: number;
  /** Reject (ERR_ACCURACY, nothing written) when any output's cosine to fp32 is below this. */
  minCosine?: number | undefined;
  /** Interleaved timing runs of each model (default 30). */
  speedRuns?: number;
  threads?: number | undefined;
  dims?: Record<string, number>;
  /** Register the result as a new version when the input is a registered model (default true). */
  register?: boolean;
  registryHome?: string | undefined;
}

export interface OptimizeReport {
  input: string;
  output: string;
  level: OrtLevel;
  quantize: QuantizeMode | null;
  /** What was done, in order, in words. */
  steps: string[];
  size: { before_bytes: number; after_bytes: number; ratio: number };
  speed: SpeedComparison;
  accuracy: OutputAccuracy[];
  /** A detector's detections (score ≥ 0.5) in both models and how many match; null for other models. */
  detections: DetectionAgreement | null;
  /** The worst output cosine, and the threshold it was held to. */
  cosine: number;
  min_cosine: number | null;
  int8: {
    calibration: { source: 'images' | 'random'; samples: number; method: CalibrationMethod };
    quantized_nodes: number;
    kept_float: KeptFloat[];
    folded_activations: number;
    /** Op types in the graph onnxruntime runs after its own fusions (QLinearConv count etc.). */
    executed_ops: Record<string, number>;
  } | null;
  int8_weights: { quantized: { name: string; op_type: string; weight: string }[] } | null;
  fp16: { blocked: { name: string; op_type: string }[]; fallback: string[] } | null;
  warnings: string[];
  card: string | null;
  registered: { name: string; version: number; parent_version: number } | null;
}
