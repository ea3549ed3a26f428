export { resolveRegistryHome, resolveRegistryPath, REGISTRY_FILENAME } from './home.js';
export { openRegistry } from './open.js';
export { findVersionOfFile } from './find-file.js';
export { parseModelRef, isValidModelName, type ModelRef } from './model-ref.js';
export { SCHEMA_VERSION } from './schema.js';
export type {
  FileKind,
  ModelDetails,
  ModelSummary,
  ModelVersion,
  NewVersion,
  OpenRegistryOptions,
  Registry,
  RegistryFile,
  VersionFiles,
} from './types.js';
