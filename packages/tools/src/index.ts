/** @oxidizedvision/tools — the Node-only logic behind each CLI command. The CLI only parses and renders. */
export * from './config/index.js';
export * from './bridge/index.js';
export * from './convert/index.js';
export * from './validate/index.js';
export * from './model-card/index.js';
export * from './registry/index.js';
export { silentLogger, type Logger, type ProgressListener, type LibraryOptions } from './internal/logger.js';
export { didYouMean } from './internal/did-you-mean.js';
export { TOOLS_VERSION } from './internal/version.js';
export { TOOLS_ERROR_CODES, TOOLS_KNOWN_ERROR_CODES } from './errors.js';
export * from './images/index.js';
export * from './benchmark/index.js';
export * from './profile/index.js';
export * from './optimize/index.js';
export * from './run/index.js';
export * from './package/index.js';
