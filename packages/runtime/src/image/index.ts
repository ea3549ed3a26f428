export { resizeBilinear } from './resize.js';
export { imageToTensor, fitImage, planPlacement } from './preprocess.js';
export { planarFromTensor, planarToImage, tensorToImage, restoreToSource, type PlanarImage } from './postprocess.js';
export type { RawImage, ResizeMode, PreprocessSpec, Placement } from './types.js';
export { boxIou, nms, batchedNms, type Box, type FlatBoxes } from './nms.js';
export { decodeDetections, DETECTION_OUTPUTS, type Detection, type DecodeDetectionsOptions } from './detection.js';
export { COCO_CATEGORIES } from './coco-labels.js';
export { detectionLabels, hasDetectionOutputs, segmentationOutput } from './task-outputs.js';
export {
  classColour,
  detectionStyle,
  layoutDetections,
  type DetectionLayout,
  type DetectionShape,
} from './detection-layout.js';
