export { runImages } from './run-images.js';
export { resolveModel, cardPathFor } from './resolve-model.js';
export { resolveRunSettings, RUN_TASKS } from './resolve-settings.js';
export { planTiles, tileStarts, axisWeights, BlendCanvas, type Tile } from './tiling.js';
export { createInferencePool, resolveThreadBudget, type InferencePool } from './pool.js';
export { processImageToImage } from './image-to-image.js';
export { topK, toProbabilities } from './classify.js';
export type {
  RunImagesOptions,
  RunSettings,
  RunSummary,
  RunFileResult,
  RunTask,
  OutputFormat,
  Prediction,
  ResolvedModel,
} from './types.js';
