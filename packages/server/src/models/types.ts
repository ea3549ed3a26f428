/**
 * The contract between the model layer (workers, batching, repository, hot reload) and the HTTP layer
 * (protocol routes, metrics). The HTTP layer only ever talks to a ModelManager.
 */
import type { ModelCard, Tensor, TensorInfo } from '@oxidizedvision/runtime';
import type { BatchingConfig } from '../batching/types.js';

// Part of the contract: specs and metadata carry it, so the HTTP layer imports it from here.
export type { BatchingConfig };

/** Triton's model states (repository index uses these strings). */
export type ModelState = 'LOADING' | 'READY' | 'UNLOADING' | 'UNAVAILABLE';

export interface InstanceConfig {
  /** Worker threads, each with its own onnxruntime-node session. */
  count: number;
  /** intraOpNumThreads of each session: the thread budget that keeps instances from oversubscribing cores. */
  threads: number;
}

/** One model as the server was asked to serve it (flags, registry or a repository folder). */
export interface ModelSpec {
  name: string;
  /**
   * `path` points at an .onnx file (a bare path) or is resolved from a repository `<name>/<version>/model.onnx`.
   * A file is served as `version` (digits; default "1"): `serve` passes the registry's version of the file.
   */
  source: { kind: 'file'; path: string; version?: string } | { kind: 'repository'; dir: string };
  batching: BatchingConfig;
  instances: InstanceConfig;
}

export interface InferRequest {
  inputs: Record<string, Tensor>;
  /** Requested output subset; all outputs when absent. */
  outputs?: string[];
  timeoutMs?: number;
  /** The HTTP request's id, for logs. */
  requestId?: string;
  /** Which front end it came through ('http', 'grpc'); handed back in its `request` event for metrics. */
  protocol?: string;
}

export interface InferResult {
  modelName: string;
  modelVersion: string;
  outputs: Record<string, Tensor>;
  timing: { queueMs: number; computeMs: number; totalMs: number; batchSize: number };
}

export interface ModelVersionStatus {
  name: string;
  version: string;
  state: ModelState;
  /** Why it is not READY (load error, unloaded by request, …). */
  reason?: string;
}

export interface ModelMetadata {
  name: string;
  /** Every version currently loaded (READY), as strings per the protocol. */
  versions: string[];
  version: string;
  platform: 'onnxruntime_onnx';
  inputs: TensorInfo[];
  outputs: TensorInfo[];
  state: ModelState;
  batching: BatchingConfig;
  instances: InstanceConfig;
  /** The model card beside the .onnx file, when there is one (preprocess, labels, task). */
  card: ModelCard | null;
  /** The last failed load of a newer file, while this version keeps serving. */
  lastLoadError: string | null;
  /**
   * The .onnx file this version was loaded from, while it is loaded (null otherwise). Read-only: `serve --ui`
   * lists it and its sibling variants for the browser page; nothing else reads model files through it.
   */
  file?: string | null;
}

/** Triton's statistics extension shape, per model version. */
export interface ModelStats {
  name: string;
  version: string;
  last_inference: number;
  inference_count: number;
  execution_count: number;
  inference_stats: Record<
    'success' | 'fail' | 'queue' | 'compute_input' | 'compute_infer' | 'compute_output',
    { count: number; ns: number }
  >;
  batch_stats: { batch_size: number; compute_infer: { count: number; ns: number } }[];
}

/** What the HTTP layer's metrics listen to. */
export interface ManagerEvents {
  /** One request finished (ok or not). `reason` is an error code when it failed. */
  request: (e: {
    model: string;
    version: string;
    ok: boolean;
    reason?: string;
    queueMs: number;
    computeMs: number;
    totalMs: number;
    /** The request's `protocol`, when it had one. */
    protocol?: string;
  }) => void;
  /** One batched inference ran. */
  batch: (e: { model: string; version: string; size: number; computeMs: number }) => void;
  /** A model version changed state. */
  state: (e: ModelVersionStatus) => void;
  /** Something worth logging (load failures, reloads, drains). */
  log: (e: { level: 'info' | 'warn' | 'error'; msg: string; model?: string; version?: string }) => void;
}

export interface ModelManager {
  /** Loads and warms up every configured model; resolves when each is READY or has failed. */
  start(): Promise<void>;
  /** Every version known, with its state: the repository index. */
  list(): ModelVersionStatus[];
  /** Throws OxvError ERR_MODEL_NOT_FOUND (unknown name/version) — never for a known but unready one. */
  metadata(name: string, version?: string): ModelMetadata;
  /**
   * Runs one request through the model's batcher. Throws OxvError with ERR_MODEL_NOT_FOUND,
   * ERR_MODEL_NOT_READY, ERR_INPUT_NAME/DTYPE/SHAPE, ERR_BATCH_TOO_LARGE, ERR_QUEUE_FULL, ERR_TIMEOUT,
   * ERR_SHUTTING_DOWN or ERR_INFERENCE.
   */
  infer(name: string, version: string | undefined, request: InferRequest): Promise<InferResult>;
  /** Repository extension: (re)load a model by name from its source, or unload it. */
  load(name: string): Promise<void>;
  unload(name: string): Promise<void>;
  /** Every model READY and the manager not draining. */
  isReady(): boolean;
  stats(name?: string, version?: string): ModelStats[];
  /** Stop accepting, let queued and in-flight requests finish (up to timeoutMs), then release workers. */
  drain(timeoutMs: number): Promise<void>;
  close(): Promise<void>;
  on<E extends keyof ManagerEvents>(event: E, listener: ManagerEvents[E]): void;
}
