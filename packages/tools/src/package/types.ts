import type { LibraryOptions } from '../internal/logger.js';

export type PackageTemplate = 'server' | 'cli';
export type PackageTarget = 'docker' | 'kubernetes' | 'kserve' | 'triton';
export const PACKAGE_TARGETS: readonly PackageTarget[] = ['docker', 'kubernetes', 'kserve', 'triton'];

export interface PackageOptions extends LibraryOptions {
  out: string;
  template?: PackageTemplate;
  targets?: PackageTarget[];
  /** Service name (Kubernetes objects, image, package.json); default: the first model's name. */
  name?: string;
  /** Replace `out` if it exists and is not empty. */
  overwrite?: boolean;
  /** Dynamic batching carried into config.json and Triton's config.pbtxt; 0 = no batching. */
  maxBatchSize?: number;
  maxQueueDelayMs?: number;
  /** Seconds the server drains on SIGTERM; Kubernetes' terminationGracePeriodSeconds is this plus 5. */
  drainTimeoutSecs?: number;
  /** Container image reference written into the manifests. */
  image?: string;
  port?: number;
  registryHome?: string;
  /** Skip measuring the model's memory (manifests then size from the file sizes): for tests of templates only. */
  memoryBytes?: number;
}

/** One model as it goes into the bundle. */
export interface PackagedModel {
  name: string;
  /** Source .onnx. */
  onnx: string;
  cardPath: string | null;
  /** Symbolic batch dimension: Triton's max_batch_size applies only when the first dim is dynamic. */
  dynamicBatch: boolean;
  inputs: { name: string; dtype: string; shape: (number | string)[] }[];
  outputs: { name: string; dtype: string; shape: (number | string)[] }[];
  /** Peak resident memory of one session that ran one inference, bytes. */
  memoryBytes: number;
}

export interface PackageSettings {
  name: string;
  template: PackageTemplate;
  targets: PackageTarget[];
  maxBatchSize: number;
  maxQueueDelayMs: number;
  drainTimeoutSecs: number;
  image: string;
  port: number;
}

export interface PackageResult {
  dir: string;
  name: string;
  template: PackageTemplate;
  targets: PackageTarget[];
  models: { name: string; memory_bytes: number }[];
  /** Paths relative to `dir`, sorted. */
  files: string[];
}
