/** Messages between the page and the inference worker. Tensors travel as transferable Float32Arrays. */
import type { TensorInfo } from '@oxidizedvision/runtime';

export type BackendRequest = 'auto' | 'wasm' | 'webgpu';

export interface BackendChoice {
  /** The execution provider the session was created with. */
  provider: 'wasm' | 'webgpu';
  threads: number;
  /** Why this backend, in words the page shows as they are. */
  reason: string;
}

export type WorkerRequest =
  | { id: number; type: 'load'; model: Uint8Array; backend: BackendRequest; ortBase: string; threads?: number }
  | { id: number; type: 'run'; input: Float32Array; shape: number[]; repeats: number; output?: string }
  | TrialRequest;

/**
 * Times the loaded model (labelled `loaded`) and then each of `others` on the same backend, with one
 * warm-up and `runs` timed runs each on `input`, and keeps the fastest loaded.
 */
export interface TrialRequest {
  id: number;
  type: 'trial';
  loaded: string;
  others: { variant: string; model: Uint8Array }[];
  input: Float32Array;
  shape: number[];
  runs: number;
}

export interface VariantTiming {
  variant: string;
  /** Session creation time; the loaded model's comes from its load. */
  loadMs: number;
  /** The timed runs, after the warm-up, in the order they ran. */
  timesMs: number[];
  medianMs: number;
}

export interface TrialResult {
  picked: string;
  provider: BackendChoice['provider'];
  runs: number;
  timings: VariantTiming[];
  /** Variants that could not be loaded or run, with the reason; they take no part in the choice. */
  failed: { variant: string; message: string }[];
}

/** Sent while a trial runs, before its answer. */
export interface TrialProgress {
  variant: string;
  /** 1-based position of the variant, of `of`. */
  index: number;
  of: number;
  /** Timed runs done so far for this variant (0 while loading or warming up). */
  run: number;
  runs: number;
}

export interface LoadResult {
  choice: BackendChoice;
  inputs: TensorInfo[];
  outputs: TensorInfo[];
  loadMs: number;
}

export interface RunResult {
  /** The output the page's task reads (the request's `output`, else the model's first). */
  output: Float32Array;
  shape: number[];
  /** Every output, as float32 (a detector's int64 labels included), for tasks that read several. */
  outputs: Record<string, { data: Float32Array; shape: number[] }>;
  firstMs: number;
  /** Median of the timed repeats after the first run; null when only one run was asked for. */
  steadyP50Ms: number | null;
}

export type WorkerResponse =
  | { id: number; ok: true; result: LoadResult | RunResult | TrialResult }
  | { id: number; progress: TrialProgress }
  | { id: number; ok: false; error: { code: string; message: string } };
