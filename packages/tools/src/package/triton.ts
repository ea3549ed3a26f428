import type { PackagedModel, PackageSettings } from './types.js';

const TRITON_TYPES: Record<string, string> = {
  float32: 'TYPE_FP32',
  float16: 'TYPE_FP16',
  float64: 'TYPE_FP64',
  int8: 'TYPE_INT8',
  uint8: 'TYPE_UINT8',
  int16: 'TYPE_INT16',
  int32: 'TYPE_INT32',
  int64: 'TYPE_INT64',
  bool: 'TYPE_BOOL',
};

function tensorBlock(t: PackagedModel['inputs'][number], batched: boolean): string {
  // With max_batch_size > 0 Triton's dims exclude the batch dimension; symbolic dims are -1.
  const dims = (batched ? t.shape.slice(1) : t.shape).map((d) => (typeof d === 'number' ? d : -1));
  return `  {\n    name: ${JSON.stringify(t.name)}\n    data_type: ${TRITON_TYPES[t.dtype] ?? 'TYPE_FP32'}\n    dims: [ ${dims.join(', ')} ]\n  }`;
}

/**
 * Triton's model configuration (text protobuf, ModelConfig) for the onnxruntime backend. Batching carries
 * over only when the model's batch dimension is dynamic; a fixed batch is max_batch_size 0 (full shapes).
 */
export function tritonConfig(model: PackagedModel, settings: PackageSettings): string {
  const batched = model.dynamicBatch && settings.maxBatchSize > 0;
  const lines = [
    `name: ${JSON.stringify(model.name)}`,
    'backend: "onnxruntime"',
    `max_batch_size: ${batched ? settings.maxBatchSize : 0}`,
    `input [\n${model.inputs.map((t) => tensorBlock(t, batched)).join(',\n')}\n]`,
    `output [\n${model.outputs.map((t) => tensorBlock(t, batched)).join(',\n')}\n]`,
    'instance_group [\n  {\n    count: 1\n    kind: KIND_AUTO\n  }\n]',
  ];
  if (batched) {
    lines.push(`dynamic_batching {\n  max_queue_delay_microseconds: ${Math.round(settings.maxQueueDelayMs * 1000)}\n}`);
  }
  return `${lines.join('\n')}\n`;
}
