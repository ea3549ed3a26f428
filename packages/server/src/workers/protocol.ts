import type { RunnerInfo, Tensor } from '@oxidizedvision/runtime';

/**
 * Messages between the main thread and an inference worker. Tensors travel as plain {dtype, shape, data}
 * objects with their ArrayBuffers in the transfer list.
 */

/** workerData of an inference worker. */
export interface WorkerInit {
  /** The model's bytes (read once by the main thread, so a file replaced on disk cannot change a running version), or a path. */
  model: Uint8Array | string;
  /** Names the model in error messages. */
  label: string;
  intraOpThreads: number;
  /** Nice value for this thread, set before the session exists so that onnxruntime's threads inherit it. */
  nice: number;
  /** Warm-up shapes by input name (the card's example inputs); symbolic dims of other inputs become 1. */
  warmupShapes: Record<string, number[]>;
  /** Collect this thread's garbage when idle after large runs (idle-collection.ts), as the main thread does. */
  collectWhenIdle: boolean;
}

export interface RunMessage {
  type: 'run';
  id: number;
  /** Per input, the batch's requests' tensors in order; the worker joins them along dim 0. */
  parts: Record<string, Tensor[]>;
  outputs: string[] | undefined;
}

/** Release the session and end the thread; sent only when no run is in flight. */
export interface CloseMessage {
  type: 'close';
}

/** An error as it crosses threads: OxvError's code, message and details survive, the class does not. */
export interface WireError {
  code: string | undefined;
  message: string;
  details: Record<string, unknown> | undefined;
}

export type WorkerMessage =
  | { type: 'ready'; info: RunnerInfo; warmupMs: number }
  | { type: 'init-error'; error: WireError }
  | { type: 'result'; id: number; outputs: Record<string, Tensor>; computeMs: number; inputMs: number }
  | { type: 'run-error'; id: number; error: WireError };
