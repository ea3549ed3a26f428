import type { Deadline, Metadata, sendUnaryData, ServerUnaryCall, ServiceError } from '@grpc/grpc-js';
import type { FastifyBaseLogger } from 'fastify';
import type { ServerContext } from '../context.js';
import { checkAdminToken, checkInferenceToken, type GrpcCallInfo } from './auth.js';
import { grpcCodeName, toGrpcFailure } from './status.js';

/** What every handler reads: the HTTP server's shared state and its logger. */
export interface GrpcScope {
  context: ServerContext;
  log: FastifyBaseLogger;
}

/** Who may call: anyone (health, as HTTP's probes), inference-token holders, or admins (repository). */
export type Access = 'open' | 'inference' | 'admin';

interface AnyCall {
  metadata: Metadata;
  getPeer(): string;
  getDeadline(): Deadline;
}

/** grpc-js writes the peer as `address:port` (IPv6 without brackets). */
function remoteAddress(peer: string): string {
  const at = peer.lastIndexOf(':');
  return (at > 0 ? peer.slice(0, at) : peer).replace(/^\[|\]$/g, '');
}

export const callInfo = (call: AnyCall): GrpcCallInfo => ({
  metadata: call.metadata,
  remoteAddress: remoteAddress(call.getPeer()),
});

/** The call's deadline in epoch ms, or undefined when the client set none. */
export function deadlineOf(call: AnyCall): number | undefined {
  const deadline = call.getDeadline();
  const ms = deadline instanceof Date ? deadline.getTime() : deadline;
  return Number.isFinite(ms) ? ms : undefined;
}

export function checkAccess(scope: GrpcScope, access: Access, call: AnyCall): void {
  const { inferenceToken, adminToken } = scope.context.options;
  if (access === 'inference') checkInferenceToken(callInfo(call), inferenceToken);
  else if (access === 'admin') checkAdminToken(callInfo(call), adminToken);
}

/** Logs a failed call as HTTP's error handler does: server faults at error, the rest at info. */
export function logFailure(scope: GrpcScope, method: string, error: unknown): ServiceError {
  const failure = toGrpcFailure(error, scope.context.options.retryAfterSecs);
  const fields = { grpcMethod: method, code: failure.errorCode, status: grpcCodeName(failure.code) };
  if (failure.errorCode === 'ERR_INFERENCE' || failure.errorCode === 'ERR_INTERNAL') {
    scope.log.error({ ...fields, err: error }, failure.details);
  } else scope.log.info(fields, failure.details);
  return Object.assign(new Error(failure.details), {
    code: failure.code,
    details: failure.details,
    metadata: failure.metadata,
  });
}

/**
 * A unary handler with the shared edges: access check, error mapping (status.ts), logging and the
 * oxv_grpc_* metrics. Nothing a handler throws can take the server down or leak a stack.
 */
export function unary<Req, Res>(
  scope: GrpcScope,
  method: string,
  access: Access,
  handler: (request: Req, call: ServerUnaryCall<Req, Res>) => Res | Promise<Res>,
) {
  return (call: ServerUnaryCall<Req, Res>, callback: sendUnaryData<Res>): void => {
    const started = performance.now();
    const observe = (code: number) =>
      scope.context.metrics.observeGrpc(method, grpcCodeName(code), (performance.now() - started) / 1000);
    new Promise<Res>((resolve) => {
      checkAccess(scope, access, call);
      resolve(handler(call.request, call));
    }).then(
      (response) => {
        observe(0);
        callback(null, response);
      },
      (error: unknown) => {
        const failure = logFailure(scope, method, error);
        observe(failure.code!);
        callback(failure);
      },
    );
  };
}
