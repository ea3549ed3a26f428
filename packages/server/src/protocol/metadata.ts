import type { TensorInfo } from '@oxidizedvision/runtime';
import type { ModelMetadata } from '../models/types.js';
import { toProtocolDatatype, toTritonConfigType } from './datatypes.js';

/** Protocol extensions this server implements, as `GET /v2` lists them (perf_analyzer checks "statistics"). */
export const EXTENSIONS = ['binary_tensor_data', 'model_repository', 'model_configuration', 'statistics'] as const;

/** The protocol's `$metadata_tensor`: symbolic or unknown dims are -1. */
export interface MetadataTensor {
  name: string;
  datatype: string;
  shape: number[];
}

export function protocolShape(shape: readonly (number | string)[]): number[] {
  return shape.map((dim) => (typeof dim === 'number' && dim >= 0 ? dim : -1));
}

export function toMetadataTensor(info: TensorInfo): MetadataTensor {
  return { name: info.name, datatype: toProtocolDatatype(info.dtype), shape: protocolShape(info.shape) };
}

/**
 * `GET /v2/models/{m}[/versions/{v}]`. `state` and `last_load_error` are additions: a failed hot reload
 * must be visible where clients already look, and clients ignore fields they do not know.
 */
export function modelMetadataBody(meta: ModelMetadata): Record<string, unknown> {
  return {
    name: meta.name,
    versions: meta.versions,
    platform: meta.platform,
    inputs: meta.inputs.map(toMetadataTensor),
    outputs: meta.outputs.map(toMetadataTensor),
    state: meta.state,
    last_load_error: meta.lastLoadError,
  };
}

/** Config dims leave out the batch dim when the model batches, as Triton's do. */
function configTensor(info: TensorInfo, batched: boolean): Record<string, unknown> {
  const dims = protocolShape(info.shape);
  return { name: info.name, data_type: toTritonConfigType(info.dtype), dims: batched ? dims.slice(1) : dims };
}

/**
 * `GET /v2/models/{m}/config` in Triton's model-config JSON, the fields perf_analyzer and model_analyzer
 * read (max_batch_size, input/output dims, dynamic_batching, instance_group).
 */
export function modelConfigBody(meta: ModelMetadata): Record<string, unknown> {
  const { batching, instances } = meta;
  const batched = batching.maxBatchSize > 0;
  return {
    name: meta.name,
    platform: meta.platform,
    backend: 'onnxruntime',
    version_policy: { latest: { num_versions: 1 } },
    max_batch_size: batching.maxBatchSize,
    input: meta.inputs.map((info) => configTensor(info, batched)),
    output: meta.outputs.map((info) => configTensor(info, batched)),
    ...(batched
      ? {
          dynamic_batching: {
            preferred_batch_size: batching.preferredBatchSizes,
            max_queue_delay_microseconds: Math.round(batching.maxQueueDelayMs * 1000),
            default_queue_policy: {
              timeout_action: 'REJECT',
              default_timeout_microseconds: Math.round(batching.timeoutMs * 1000),
              allow_timeout_override: true,
              max_queue_size: batching.maxQueueSize,
            },
          },
        }
      : {}),
    instance_group: [{ name: `${meta.name}_0`, kind: 'KIND_CPU', count: instances.count }],
    default_model_filename: 'model.onnx',
    parameters: { intra_op_thread_count: { string_value: String(instances.threads) } },
  };
}
