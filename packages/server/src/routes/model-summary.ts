import type { ModelManager, ModelVersionStatus } from '../models/types.js';
import { protocolShape } from '../protocol/metadata.js';

/** One model as the original's `/health` and `/models` listed it, plus its version and real state. */
export function modelSummary(manager: ModelManager, status: ModelVersionStatus): Record<string, unknown> {
  const base = {
    name: status.name,
    version: status.version,
    status: status.state.toLowerCase(),
    backend: 'onnxruntime-node',
  };
  try {
    const meta = manager.metadata(status.name, status.version);
    const batching = meta.batching.maxBatchSize > 1;
    return {
      ...base,
      input_shape: meta.inputs[0] ? protocolShape(meta.inputs[0].shape) : [],
      batching_enabled: batching,
      max_batch_size: meta.batching.maxBatchSize,
      ...(status.reason ? { reason: status.reason } : {}),
    };
  } catch {
    // A version that failed to load may have no metadata to show; its state and reason still matter.
    return { ...base, ...(status.reason ? { reason: status.reason } : {}) };
  }
}
