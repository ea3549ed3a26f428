export { createBatcher, type Batcher, type BatcherOptions } from './batcher.js';
export { joinParts } from './batch-io.js';
export { concatBatch, splitBatch } from './concat.js';
export { batchExtent, subQueueKey } from './shape-key.js';
export type {
  BatchExecutor,
  BatchOutcome,
  BatchRequest,
  BatchResponse,
  BatchRun,
  BatchTiming,
  BatcherHooks,
  BatchingConfig,
  RequestOutcome,
} from './types.js';
