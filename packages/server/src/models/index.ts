/** The model layer's public API: the manager factory, its option types and defaults, and the contract. */
export { createModelManager } from './model-manager.js';
export {
  DEFAULT_BATCHING,
  DEFAULT_INSTANCES,
  DEFAULT_POLL_SECS,
  DEFAULT_VERSION_POLICY,
  resolveBatchingConfig,
  resolveInstanceConfig,
  resolveManagerOptions,
  type ControlMode,
  type ModelManagerOptions,
  type RepositoryOptions,
  type ResolvedManagerOptions,
  type VersionPolicy,
} from './options.js';
export { parseModelConfig, type ModelConfig } from './model-config.js';
export type {
  BatchingConfig,
  InferRequest,
  InferResult,
  InstanceConfig,
  ManagerEvents,
  ModelManager,
  ModelMetadata,
  ModelSpec,
  ModelState,
  ModelStats,
  ModelVersionStatus,
} from './types.js';
