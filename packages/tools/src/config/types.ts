import type { CardPreprocess, DType } from '@oxidizedvision/runtime';
import type { RawConfig, RUNNER_NAMES, DYNAMIC_AXES, EXPORTERS, QUANTIZE_MODES, TASKS } from './schema.js';

export type RunnerName = (typeof RUNNER_NAMES)[number];
export type ModelKind = 'python' | 'torchscript' | 'torchvision';

export interface ResolvedInput {
  name: string;
  shape: number[];
  dtype: DType;
}

/** Exactly what the model card records (the runtime's CardPreprocess). */
export type ResolvedPreprocess = CardPreprocess;

/** A config after validation: absolute paths, defaults filled in, one shape for every input form. Frozen. */
export interface ResolvedConfig {
  /** Absolute path of the YAML file, and its folder (relative paths in it are resolved against it). */
  file: string;
  dir: string;
  python: string | undefined;
  task: (typeof TASKS)[number] | undefined;
  labels: string[] | undefined;
  model: {
    kind: ModelKind;
    /** Absolute file path, or `torchvision:<arch>`. */
    path: string;
    arch: string | undefined;
    class_name: string | undefined;
    init_args: Record<string, unknown>;
    inputs: ResolvedInput[];
    output_names: string[] | undefined;
    checkpoint: string | undefined;
    randomize_weights: boolean;
  };
  export: {
    opset_version: number;
    do_constant_folding: boolean;
    output_dir: string;
    model_name: string;
    dynamic_axes: (typeof DYNAMIC_AXES)[number][];
    torchscript: boolean;
    exporter: (typeof EXPORTERS)[number];
    register: boolean;
  };
  runners: RunnerName[];
  validation: {
    num_tests: number;
    tolerance_mae: number;
    tolerance_cos_sim: number;
    tolerance_max_abs: number | undefined;
    seed: number;
    images: string | undefined;
    allow_degenerate: boolean;
  };
  optimize: {
    simplify: boolean;
    constant_folding: boolean;
    quantize: (typeof QUANTIZE_MODES)[number] | null;
    calibrate: string | undefined;
    min_cosine: number | undefined;
  };
  benchmark: {
    iters: number;
    warmup_iters: number;
    batch_size: number;
    batch_sizes: number[] | undefined;
    device: 'cpu' | 'cuda';
    threads: number | undefined;
  };
  preprocess: ResolvedPreprocess;
  /** The YAML as written (after defaults), kept for the model card and the registry. */
  raw: RawConfig;
}

/** Where each output file of a conversion goes; derived from the config so every command agrees. */
export interface ExportPaths {
  onnx: string;
  torchscript: string;
  card: string;
  /** Weights that were exported, saved when the config had no checkpoint (validate reloads them). */
  weights: string;
}
