export { profileModel, type ProfileOptions, type ProfileReport } from './profile.js';
export { renderProfileHtml, writeProfileHtml } from './html.js';
export {
  measureModel,
  summarise as summariseTrace,
  type Measurement,
  type MeasuredLayer,
  type MeasuredOpType,
} from './measure.js';
export { resolveModelTarget, dimsFromCard, type ModelTarget } from './target.js';
export { randomFeeds, concreteShape, type Feeds } from './inputs.js';
export { formatBytes as formatSize, formatMacs, formatShape as formatDims } from './format.js';
