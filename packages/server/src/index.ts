/**
 * @oxidizedvision/server: the HTTP inference server. buildServer() returns a fastify app that never
 * listens by itself; the model layer (workers, batching, repository, hot reload) sits behind ModelManager.
 */
export { buildServer, type BuildServerOptions } from './app.js';
export { shutdownServer, type ShutdownResult } from './lifecycle.js';
export {
  resolveServerOptions,
  DEFAULT_BODY_LIMIT,
  DEFAULT_HEADER_TIMEOUT_MS,
  DEFAULT_KEEP_ALIVE_TIMEOUT_MS,
  DEFAULT_REQUEST_TIMEOUT_MS,
  DEFAULT_HOST,
  DEFAULT_PORT,
  SERVER_VERSION,
  type LogLevel,
  type LogStream,
  type ResolvedServerOptions,
  type ServerLogOptions,
  type ServerOptions,
} from './options.js';
export { HTTP_STATUS, toHttpFailure, type HttpFailure } from './http/status.js';
export { SERVER_ERROR_CODES } from './errors.js';
export { startGrpcServer, type GrpcServer } from './grpc/server.js';
export { enableIdleCollection, IDLE_COLLECT_MS, IDLE_COLLECT_MIN_BYTES } from './idle-collection.js';
export { resolveGrpcOptions, type GrpcServerOptions, type ResolvedGrpcOptions } from './grpc/options.js';
export { GRPC_STATUS, toGrpcFailure, type GrpcFailure } from './grpc/status.js';
export { GRPC_PROTO_DIR, PROTO_LOADER_OPTIONS, inferenceService } from './grpc/proto.js';
export { openApiDocument } from './openapi/document.js';
export type { ServerContext } from './context.js';
export {
  createModelManager,
  DEFAULT_BATCHING,
  DEFAULT_INSTANCES,
  DEFAULT_POLL_SECS,
  type ControlMode,
  type ModelManagerOptions,
  type RepositoryOptions,
} from './models/index.js';
export type * from './models/types.js';
