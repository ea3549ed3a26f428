export { resizeBilinear } from './resize.js';
export { imageToTensor, fitImage, planPlacement } from './preprocess.js';
export type { RawImage, ResizeMode, PreprocessSpec, Placement } from './types.js';
