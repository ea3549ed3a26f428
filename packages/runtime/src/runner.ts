import type { DType } from './dtype.js';
import type { Tensor } from './tensor.js';

/**
 * One model input or output as the model declares it. `dtype` is a DType, or the runtime's type name when
 * the model uses a type this package cannot hold (e.g. 'uint16', 'string'). Symbolic dims are strings
 * ('batch'); a dynamic dim the model leaves unnamed is reported as '?'. An empty shape means a scalar or
 * a tensor whose rank the model does not declare; feeds for it are not shape-checked.
 */
export interface TensorInfo {
  name: string;
  dtype: DType | string;
  shape: (number | string)[];
}

export interface RunnerInfo {
  backend: string;
  /** The execution providers the session was created with, in the order they were requested. */
  executionProviders: string[];
  inputs: TensorInfo[];
  outputs: TensorInfo[];
}

export interface RunOptions {
  /** Output names to compute and return; all outputs when absent. */
  outputs?: string[];
}

/**
 * A loaded model ready to run. Implementations validate feeds before touching the runtime, so a bad
 * feed always fails with ERR_INPUT_NAME / ERR_INPUT_DTYPE / ERR_INPUT_SHAPE, never a runtime crash.
 */
export interface Runner {
  readonly backend: string;
  info(): RunnerInfo;
  run(feeds: Record<string, Tensor>, options?: RunOptions): Promise<Record<string, Tensor>>;
  /** Releases the session once in-flight runs settle. Idempotent; run() afterwards → ERR_RUNNER_DISPOSED. */
  dispose(): Promise<void>;
}

export type ExecutionProvider = 'cpu' | 'cuda' | 'tensorrt' | 'wasm' | 'webgpu';
export type GraphOptimizationLevel = 'disabled' | 'basic' | 'extended' | 'all';

export interface RunnerOptions {
  /** Threads inside one operator; 0 or absent lets the runtime choose. */
  intraOpThreads?: number;
  /** Threads across independent operators (onnxruntime-node only). */
  interOpThreads?: number;
  executionProvider?: ExecutionProvider;
  /** GPU ordinal for cuda/tensorrt. */
  deviceId?: number;
  graphOptimizationLevel?: GraphOptimizationLevel;
}

/** A file path (Node) or URL (browser), or the model's bytes. */
export type ModelSource = string | Uint8Array;
