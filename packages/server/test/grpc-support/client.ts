import { credentials, Metadata, type Client, type ServiceError } from '@grpc/grpc-js';
import { inferenceService } from '../../src/grpc/proto.js';
import { startGrpcServer, type GrpcServer } from '../../src/grpc/server.js';
import { startServer, type TestModel, type TestServer } from '../http-support/server.js';
import type { BuildServerOptions } from '../../src/app.js';

type Unary = (
  request: unknown,
  metadata: Metadata,
  callback: (error: ServiceError | null, response: unknown) => void,
) => void;

export interface GrpcTestServer extends TestServer {
  grpc: GrpcServer;
  client: Client;
  /** Calls a unary RPC; rejects with the ServiceError (code, details, metadata). */
  call<T = Record<string, unknown>>(method: string, request?: object, token?: string): Promise<T>;
}

/** A real client with the server's own .proto and loader options, as any other grpc-js client would be. */
export function createClient(port: number): Client {
  const Service = inferenceService();
  return new Service(`127.0.0.1:${port}`, credentials.createInsecure(), {
    'grpc.max_receive_message_length': -1,
    'grpc.max_send_message_length': -1,
  });
}

export function bearer(token: string | undefined): Metadata {
  const metadata = new Metadata();
  if (token !== undefined) metadata.set('authorization', `Bearer ${token}`);
  return metadata;
}

export function callOn<T>(client: Client, method: string, request: object = {}, token?: string): Promise<T> {
  const rpc = (client as unknown as Record<string, Unary>)[method]!.bind(client);
  return new Promise((resolve, reject) =>
    rpc(request, bearer(token), (error, response) => (error ? reject(error) : resolve(response as T))),
  );
}

/** An HTTP server (listening) with a gRPC server beside it and a client connected to that. */
export async function startGrpcTestServer(
  models: TestModel[],
  options: Omit<BuildServerOptions, 'manager'> = {},
): Promise<GrpcTestServer> {
  const server = await startServer(models, { ...options, listen: true });
  const grpc = await startGrpcServer(server.app, { host: '127.0.0.1', port: 0 });
  const client = createClient(grpc.port);
  return {
    ...server,
    grpc,
    client,
    call: (method, request, token) => callOn(client, method, request, token),
    async close() {
      client.close();
      await grpc.close();
      await server.close();
    },
  };
}

/** The little-endian bytes of a typed array, as raw_input_contents carries them. */
export const rawBytes = (data: ArrayBufferView): Buffer => Buffer.from(data.buffer, data.byteOffset, data.byteLength);
