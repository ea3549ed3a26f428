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
  | { id: number; type: 'run'; input: Float32Array; shape: number[]; repeats: number };

export interface LoadResult {
  choice: BackendChoice;
  inputs: TensorInfo[];
  outputs: TensorInfo[];
  loadMs: number;
}

export interface RunResult {
  output: Float32Array;
  shape: number[];
  firstMs: number;
  /** Median of the timed repeats after the first run; null when only one run was asked for. */
  steadyP50Ms: number | null;
}

export type WorkerResponse =
  | { id: number; ok: true; result: LoadResult | RunResult }
  | { id: number; ok: false; error: { code: string; message: string } };
