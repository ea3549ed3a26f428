import { EXTENSIONS } from '../protocol/metadata.js';

const tensor = (withData: boolean) => ({
  type: 'object',
  required: ['name', 'shape', 'datatype'],
  properties: {
    name: { type: 'string' },
    shape: { type: 'array', items: { type: 'integer' } },
    datatype: { type: 'string', enum: ['BOOL', 'UINT8', 'INT8', 'INT32', 'INT64', 'FP16', 'FP32', 'FP64'] },
    parameters: { type: 'object', properties: { binary_data_size: { type: 'integer' } } },
    ...(withData ? { data: { type: 'array', description: 'Row-major values, flat or nested' } } : {}),
  },
});

/** Component schemas the operations refer to by name. */
export const SCHEMAS: Record<string, object> = {
  Error: { type: 'object', required: ['error'], properties: { error: { type: 'string' } } },
  Live: { type: 'object', properties: { live: { type: 'boolean' } } },
  Ready: { type: 'object', properties: { ready: { type: 'boolean' } } },
  ModelReady: {
    type: 'object',
    properties: { name: { type: 'string' }, version: { type: 'string' }, ready: { type: 'boolean' } },
  },
  ServerMetadata: {
    type: 'object',
    properties: {
      name: { type: 'string' },
      version: { type: 'string' },
      extensions: { type: 'array', items: { type: 'string', enum: [...EXTENSIONS] } },
    },
  },
  MetadataTensor: {
    type: 'object',
    properties: {
      name: { type: 'string' },
      datatype: { type: 'string' },
      shape: { type: 'array', items: { type: 'integer', description: '-1 = variable' } },
    },
  },
  ModelMetadata: {
    type: 'object',
    properties: {
      name: { type: 'string' },
      versions: { type: 'array', items: { type: 'string' } },
      platform: { type: 'string', example: 'onnxruntime_onnx' },
      inputs: { type: 'array', items: { $ref: '#/components/schemas/MetadataTensor' } },
      outputs: { type: 'array', items: { $ref: '#/components/schemas/MetadataTensor' } },
      state: { type: 'string', enum: ['LOADING', 'READY', 'UNLOADING', 'UNAVAILABLE'] },
      last_load_error: { type: 'string', nullable: true },
    },
  },
  InferRequest: {
    type: 'object',
    required: ['inputs'],
    properties: {
      id: { type: 'string' },
      parameters: {
        type: 'object',
        properties: {
          binary_data_output: { type: 'boolean' },
          timeout: { type: 'integer', description: 'microseconds' },
        },
      },
      inputs: { type: 'array', items: tensor(true) },
      outputs: {
        type: 'array',
        items: {
          type: 'object',
          properties: {
            name: { type: 'string' },
            parameters: { type: 'object', properties: { binary_data: { type: 'boolean' } } },
          },
        },
      },
    },
  },
  InferResponse: {
    type: 'object',
    properties: {
      model_name: { type: 'string' },
      model_version: { type: 'string' },
      id: { type: 'string' },
      outputs: { type: 'array', items: tensor(true) },
    },
  },
  ModelStats: { type: 'object', properties: { model_stats: { type: 'array', items: { type: 'object' } } } },
  RepositoryIndex: {
    type: 'array',
    items: {
      type: 'object',
      properties: {
        name: { type: 'string' },
        version: { type: 'string' },
        state: { type: 'string' },
        reason: { type: 'string' },
      },
    },
  },
  PredictRequest: {
    type: 'object',
    properties: {
      data: { type: 'array', items: { type: 'number' } },
      shape: { type: 'array', items: { type: 'integer' } },
    },
  },
  PredictResponse: {
    type: 'object',
    properties: {
      model: { type: 'string' },
      output_shape: { type: 'array', items: { type: 'integer' } },
      data: { type: 'array', items: { type: 'number' } },
      latency_ms: { type: 'number' },
    },
  },
  Object: { type: 'object' },
  Empty: { type: 'object', description: 'empty body' },
  Binary: { type: 'string', format: 'binary' },
  Text: { type: 'string' },
};
