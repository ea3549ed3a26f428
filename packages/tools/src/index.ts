/** @oxidizedvision/tools — the Node-only logic behind each CLI command. The CLI only parses and renders. */
export {
  loadConfig,
  exportPaths,
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
  type RawConfig,
  type ResolvedConfig,
  type ResolvedInput,
  type ResolvedPreprocess,
  type RunnerName,
  type ModelKind,
  type ExportPaths,
} from './config/index.js';
export {
  findPython,
  runBridge,
  BRIDGE_SCRIPT,
  type PythonInfo,
  type FindPythonOptions,
  type BridgeCallOptions,
} from './bridge/index.js';
// How a bridge request names the PyTorch model; benchmark's Python runners send the same.
export { modelSpec, type BridgeModelSpec } from './convert/bridge-request.js';
export { convertModel, type ConvertOptions, type ConvertResult } from './convert/index.js';
export {
  validateModel,
  VALIDATE_TARGETS,
  type ValidateOptions,
  type ValidateTarget,
  type ValidationReport,
  type Comparison,
  type Tolerances,
  type TargetFailure,
} from './validate/index.js';
export { readModelCard, writeModelCard } from './model-card/index.js';
export {
  resolveRegistryHome,
  resolveRegistryPath,
  REGISTRY_FILENAME,
  openRegistry,
  parseModelRef,
  findVersionOfFile,
  isValidModelName,
  SCHEMA_VERSION,
  type ModelRef,
  type FileKind,
  type ModelDetails,
  type ModelSummary,
  type ModelVersion,
  type NewVersion,
  type OpenRegistryOptions,
  type Registry,
  type RegistryFile,
  type VersionFiles,
} from './registry/index.js';
export { silentLogger, type Logger, type ProgressListener, type LibraryOptions } from './internal/logger.js';
export { didYouMean } from './internal/did-you-mean.js';
export { TOOLS_VERSION } from './internal/version.js';
export { decodeImage, listImages, IMAGE_EXTENSIONS, encodePng } from './images/index.js';
export {
  profileModel,
  renderProfileHtml,
  writeProfileHtml,
  summariseTrace,
  type ProfileOptions,
  type ProfileReport,
  type Measurement,
  type MeasuredLayer,
  type MeasuredOpType,
} from './profile/index.js';
export {
  optimizeModel,
  executedOpCounts,
  OPTIMIZE_LEVELS,
  type OptimizeOptions,
  type OptimizeReport,
  type QuantizeMode,
  type OutputAccuracy,
  type SpeedComparison,
} from './optimize/index.js';
export {
  runImages,
  resolveRunSettings,
  RUN_TASKS,
  planTiles,
  tileStarts,
  axisWeights,
  BlendCanvas,
  type Tile,
  type RunImagesOptions,
  type RunSettings,
  type RunSummary,
  type RunFileResult,
  type RunTask,
  type OutputFormat,
  type Prediction,
  type ResolvedModel,
} from './run/index.js';
export {
  packageModels,
  PACKAGE_TARGETS,
  type PackageOptions,
  type PackageResult,
  type PackageTarget,
  type PackageTemplate,
  type PackagedModel,
} from './package/index.js';
export { TOOLS_ERROR_CODES, TOOLS_KNOWN_ERROR_CODES } from './errors.js';
