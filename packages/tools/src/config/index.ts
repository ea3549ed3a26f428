export { loadConfig } from './load.js';
export {
  ConfigSchema,
  configJsonSchema,
  DTYPES,
  DYNAMIC_AXES,
  RUNNER_NAMES,
  LEGACY_RUNNER_NAMES,
  EXPORTERS,
  QUANTIZE_MODES,
  RESIZE_MODES,
  TASKS,
} from './schema.js';
export type { RawConfig } from './schema.js';
export type { ResolvedConfig, ResolvedInput, ResolvedPreprocess, RunnerName, ModelKind, ExportPaths } from './types.js';
export { exportPaths } from './export-paths.js';
