import { Server, ServerCredentials } from '@grpc/grpc-js';
import type { FastifyInstance } from 'fastify';
import { attachListener } from '../lifecycle.js';
import { grpcHandlers } from './handlers.js';
import type { OpenStreams } from './infer.js';
import { resolveGrpcOptions, type GrpcServerOptions } from './options.js';
import { inferenceServiceDefinition } from './proto.js';

export interface GrpcServer {
  readonly host: string;
  /** The bound port (the one picked when 0 was asked for). */
  readonly port: number;
  /** Graceful: open streams end once their requests are answered, then calls finish and the port closes. */
  close(): Promise<void>;
}

/** How long close() lets calls finish before cutting the connections. */
const CLOSE_GRACE_MS = 5000;

/** Rejects with grpc-js's own error (address in use…); the CLI wraps it as ERR_LISTEN, as for HTTP. */
function bind(server: Server, host: string, port: number): Promise<number> {
  const address = `${host.includes(':') ? `[${host}]` : host}:${port}`;
  return new Promise((resolve, reject) =>
    server.bindAsync(address, ServerCredentials.createInsecure(), (error, bound) =>
      error ? reject(error) : resolve(bound),
    ),
  );
}

function shutdown(server: Server, streams: OpenStreams): Promise<void> {
  for (const end of [...streams]) end();
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      server.forceShutdown();
      resolve();
    }, CLOSE_GRACE_MS);
    timer.unref();
    server.tryShutdown(() => {
      clearTimeout(timer);
      resolve();
    });
  });
}

/**
 * Serves KServe v2 `inference.GRPCInferenceService` (with Triton's additions) beside an HTTP server from
 * buildServer(), sharing everything with it: models and dynamic batches, metrics, tokens, the body limit
 * (as the largest message either way) and the drain. shutdownServer(app) closes it together with HTTP;
 * resolves once the port is bound and answering.
 */
export async function startGrpcServer(app: FastifyInstance, options: GrpcServerOptions = {}): Promise<GrpcServer> {
  const { host, port } = resolveGrpcOptions(options);
  const context = app.oxv;
  const limit = context.options.bodyLimit;
  const server = new Server({ 'grpc.max_receive_message_length': limit, 'grpc.max_send_message_length': limit });
  const streams: OpenStreams = new Set();
  server.addService(inferenceServiceDefinition(), grpcHandlers({ context, log: app.log }, streams));
  const bound = await bind(server, host, port);
  let closing: Promise<void> | undefined;
  const close = (): Promise<void> => (closing ??= shutdown(server, streams));
  attachListener(context, close);
  return { host, port: bound, close };
}
