import type { ErrorCode, Tensor } from '@oxidizedvision/runtime';

export interface BatchingConfig {
  /** Largest batch (in samples) one inference may carry; 0 disables batching (model has no dynamic batch dim). */
  maxBatchSize: number;
  /** How long the first request of a batch waits for others, in milliseconds. */
  maxQueueDelayMs: number;
  /** Batch sizes worth flushing at early (Triton's preferred_batch_size). */
  preferredBatchSizes: number[];
  /** Requests waiting beyond this are refused with ERR_QUEUE_FULL (HTTP 503 + Retry-After). */
  maxQueueSize: number;
  /** Default per-request timeout (queue + compute), milliseconds; a request's `parameters.timeout` overrides. */
  timeoutMs: number;
}

/** What one batch run returns: the outputs for the whole batch and the time the model itself took. */
export interface BatchRun {
  outputs: Record<string, Tensor>;
  computeMs: number;
  /** Time spent joining the parts into the batch's feeds (Triton's compute_input), where the executor did it. */
  inputMs: number;
}

/**
 * Where batches run. The worker pool implements it; tests use a fake. The batcher starts a batch only when
 * idle() > 0, and run() must mark an instance busy before it returns, so batches in flight never exceed
 * the number of instances.
 */
export interface BatchExecutor {
  /** Instances that exist (for Retry-After estimates). */
  size(): number;
  /** Instances free to start a batch now. */
  idle(): number;
  /**
   * Runs one batch. `parts` holds, per input, the requests' tensors in batch order; the executor joins
   * them along dim 0 (the worker pool does it on the worker thread, so the event loop never copies a
   * batch). Takes ownership of the parts' buffers.
   */
  run(parts: Record<string, Tensor[]>, outputs: string[] | undefined): Promise<BatchRun>;
}

export interface BatchRequest {
  inputs: Record<string, Tensor>;
  /** Output subset; all outputs when absent. */
  outputs?: string[];
  /** Queue + compute limit in ms; 0 or absent means the batcher's default. */
  timeoutMs?: number;
  /** Opaque to the batcher; handed back in this request's outcome (the server's protocol label). */
  tag?: string;
}

export interface BatchTiming {
  queueMs: number;
  computeMs: number;
  totalMs: number;
  /** Samples in the model execution this request rode in (1 for models that do not batch). */
  batchSize: number;
}

export interface BatchResponse {
  outputs: Record<string, Tensor>;
  timing: BatchTiming;
}

/** One request settled. Emitted exactly once per submit(), refusals included. */
export interface RequestOutcome {
  ok: boolean;
  reason?: ErrorCode;
  queueMs: number;
  computeMs: number;
  totalMs: number;
  /** Its batch's input concatenation and output split time (Triton's compute_input / compute_output); 0 on failure. */
  inputMs: number;
  outputMs: number;
  /** Samples the request carried (its batch extent). */
  samples: number;
  /** The request's `tag`, when it had one. */
  tag?: string;
}

/** One model execution finished (successfully or not). */
export interface BatchOutcome {
  ok: boolean;
  /** Samples in the batch (1 for models that do not batch). */
  size: number;
  requests: number;
  computeMs: number;
  /** Time spent concatenating inputs (Triton's compute_input) and splitting outputs (compute_output). */
  inputMs: number;
  outputMs: number;
}

export interface BatcherHooks {
  onRequest?: (e: RequestOutcome) => void;
  onBatch?: (e: BatchOutcome) => void;
}
