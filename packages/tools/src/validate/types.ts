import type { TensorComparison } from '@oxidizedvision/runtime';
import type { DegenerateOutput } from './degenerate.js';

export const VALIDATE_TARGETS = ['torchscript', 'onnxruntime-node', 'onnxruntime-web'] as const;
export type ValidateTarget = (typeof VALIDATE_TARGETS)[number];

export interface Tolerances {
  mae: number;
  cosine: number;
  max_abs: number | undefined;
}

/** One row of the report: the worst case over every test input, for one output of one target. */
export interface Comparison extends Omit<TensorComparison, 'count' | 'shape_match'> {
  reference: 'pytorch';
  target: ValidateTarget;
  output: string;
  /** Which input set: random inputs, or images from validation.images. */
  inputs: 'random' | 'images';
  tests: number;
  /** MAE over the reference's mean |x|, and max abs error over its max |x| (worst test). */
  relative_mae: number;
  relative_max_error: number;
  /** For a variable-length output (detections): its row count per test, PyTorch's and the target's. */
  counts?: { reference: number; target: number }[];
  passed: boolean;
  /** Why it failed, in words; absent when it passed. */
  reason?: string;
}

export type { DegenerateOutput };

export interface TargetFailure {
  target: ValidateTarget;
  code: string;
  message: string;
}

export interface ValidationReport {
  passed: boolean;
  model: string;
  seed: number;
  num_tests: number;
  tolerances: Tolerances;
  torch_version: string;
  comparisons: Comparison[];
  /** Targets that could not run at all (they make `passed` false). */
  failures: TargetFailure[];
  /** Reference outputs on which a match proves nothing; they make `passed` false unless allowed. */
  degenerate: DegenerateOutput[];
  allow_degenerate: boolean;
}
