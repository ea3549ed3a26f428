export { resizeBilinear } from './resize.js';
export { imageToTensor, fitImage, planPlacement } from './preprocess.js';
export { planarFromTensor, planarToImage, tensorToImage, restoreToSource, type PlanarImage } from './postprocess.js';
export type { RawImage, ResizeMode, PreprocessSpec, Placement } from './types.js';
