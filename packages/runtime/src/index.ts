/**
 * @oxidizedvision/runtime — the isomorphic core: tensors, the Runner contract, the backend registry,
 * accuracy metrics and error codes. Nothing reachable from here imports node:* or a runtime package;
 * backends live behind the "./node" and "./web" subpaths.
 */
export { DTYPE_BYTES, DTYPES, isDType, type DType, type TypedArrayFor, type TypedArrayMap } from './dtype.js';
export {
  float16BitsToFloat32,
  float16BitsToFloat32Array,
  float32ArrayToFloat16Bits,
  float32ToFloat16Bits,
} from './float16.js';
export { createTensor, tensorSize, toFloat64Array, type Tensor, type TensorValues } from './tensor.js';
export type {
  ExecutionProvider,
  GraphOptimizationLevel,
  ModelSource,
  RunOptions,
  Runner,
  RunnerInfo,
  RunnerOptions,
  TensorInfo,
} from './runner.js';
export {
  createRunner,
  getBackend,
  listBackends,
  registerBackend,
  type Backend,
  type BackendAvailability,
  type CreateRunnerOptions,
} from './backend.js';
export { compareTensors, type TensorComparison } from './metrics.js';
export { createRng, randomTensor, type Rng } from './random.js';
export {
  RUNTIME_ERROR_CODES,
  OxvError,
  isOxvError,
  type ErrorCode,
  type OxvErrorCodeMap,
  type OxvErrorOptions,
} from './errors.js';
export {
  imageToTensor,
  fitImage,
  planPlacement,
  resizeBilinear,
  planarFromTensor,
  planarToImage,
  tensorToImage,
  restoreToSource,
  type PlanarImage,
  type RawImage,
  type ResizeMode,
  type PreprocessSpec,
  type Placement,
  boxIou,
  nms,
  batchedNms,
  decodeDetections,
  DETECTION_OUTPUTS,
  COCO_CATEGORIES,
  detectionLabels,
  hasDetectionOutputs,
  segmentationOutput,
  classColour,
  detectionStyle,
  layoutDetections,
  type Box,
  type FlatBoxes,
  type Detection,
  type DecodeDetectionsOptions,
  type DetectionLayout,
  type DetectionShape,
} from './image/index.js';
export {
  parseModelCard,
  MODEL_CARD_VERSION,
  type ModelCard,
  type CardFile,
  type CardPreprocess,
} from './model-card.js';
