import { fileURLToPath } from 'node:url';
import { loadPackageDefinition, type ServiceClientConstructor, type ServiceDefinition } from '@grpc/grpc-js';
import { loadSync, type Options } from '@grpc/proto-loader';

/** The folder holding grpc_service.proto and model_config.proto; it ships in the package (`files`). */
export const GRPC_PROTO_DIR = fileURLToPath(new URL('../../proto/', import.meta.url));

/**
 * How messages look in JavaScript. snake_case names as in the .proto (and the HTTP JSON); int64 as
 * strings so no shape or INT64 element loses precision; defaults filled so absent repeated fields are [];
 * oneofs name the set member (InferParameter.parameter_choice).
 */
export const PROTO_LOADER_OPTIONS: Options = Object.freeze({
  keepCase: true,
  longs: String,
  enums: String,
  defaults: true,
  oneofs: true,
  includeDirs: [GRPC_PROTO_DIR],
});

let service: ServiceClientConstructor | undefined;

/** `inference.GRPCInferenceService`, loaded once: its definition serves, its constructor is a client. */
export function inferenceService(): ServiceClientConstructor {
  if (service === undefined) {
    const definition = loadSync('grpc_service.proto', PROTO_LOADER_OPTIONS);
    const inference = loadPackageDefinition(definition).inference as Record<string, ServiceClientConstructor>;
    service = inference.GRPCInferenceService!;
  }
  return service;
}

export const inferenceServiceDefinition = (): ServiceDefinition => inferenceService().service;
