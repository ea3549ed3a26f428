export { optimizeModel } from './optimize.js';
export { OPTIMIZE_LEVELS, type OptimizeOptions, type OptimizeReport, type QuantizeMode } from './types.js';
export type { OutputAccuracy, SpeedComparison } from './evaluate.js';
export { executedOpCounts, optimizeWithOrt, type OrtLevel } from './ort-session.js';
