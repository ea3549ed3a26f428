/**
 * @oxidizedvision/onnx — ONNX models in TypeScript: protobuf I/O (protobuf-es code generated from the
 * official onnx.proto), graph walk, shape/parameter/MAC analysis, and rewriting passes (fp16, int8 QDQ,
 * weight-only int8). Isomorphic: nothing reachable from here imports node:*; file I/O with external data
 * lives behind the "./node" subpath.
 */
export * from './proto/onnx_pb.js';
export { cloneModel, decodeModel, encodeModel, defaultOpset } from './model/codec.js';
export {
  allTensors,
  externalReference,
  externalizeTensors,
  internalizeExternalData,
  type ExternalReference,
} from './model/external-data.js';
export { DataType, byteLengthOf, dataTypeBytes, dataTypeName, isFloatType } from './tensor/data-type.js';
export {
  createTensorProto,
  elementCount,
  isExternal,
  tensorToFloat32,
  tensorToNumbers,
  tensorValues,
  type TensorArray,
} from './tensor/values.js';
export {
  attrFloat,
  attrInt,
  attrInts,
  attrString,
  attrTensor,
  makeAttribute,
  setAttribute,
} from './graph/attributes.js';
export { createNameAllocator, indexGraph, realInputs, topologicalOrder, type GraphIndex } from './graph/graph-index.js';
export { inferShapes, shapeOfType, type ShapeInferenceOptions } from './analysis/shape-inference.js';
export { nodeMacs } from './analysis/macs.js';
export type { Dim, ValueFacts } from './analysis/types.js';
export {
  analyzeModel,
  type AnalyzeOptions,
  type LayerSummary,
  type ModelAnalysis,
  type OpTypeSummary,
  type TensorSummary,
} from './analysis/analyze.js';
export { quantizeQdq, type KeptFloat, type QdqOptions, type QdqResult, type TensorRange } from './passes/int8-qdq.js';
export {
  activationParams,
  quantizeWeightsPerChannel,
  roundHalfEven,
  type QuantParams,
} from './passes/quantize-math.js';
export {
  calibrationTensors,
  createHistogramCollector,
  createMinMaxCollector,
  exposeTensors,
  type CalibrationMethod,
} from './passes/calibration.js';
export { convertToFloat16, FP16_DEFAULT_BLOCK_OPS, type Float16Options, type Float16Result } from './passes/float16.js';
export { quantizeWeightsOnly, type WeightOnlyOptions, type WeightOnlyResult } from './passes/int8-weights.js';
export { ONNX_ERROR_CODES } from './errors.js';
