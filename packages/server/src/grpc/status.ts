import { status as GrpcCode, Metadata } from '@grpc/grpc-js';
import type { ErrorCode } from '@oxidizedvision/runtime';
import { toHttpFailure } from '../http/status.js';

/**
 * The one table from error codes to gRPC status codes, beside HTTP's (http/status.ts) and with the same
 * meaning: client mistakes are INVALID_ARGUMENT / NOT_FOUND, "retry later" is UNAVAILABLE or
 * RESOURCE_EXHAUSTED, and a code missing here is a server fault (INTERNAL).
 */
export const GRPC_STATUS: Readonly<Partial<Record<ErrorCode, GrpcCode>>> = Object.freeze({
  ERR_BAD_REQUEST: GrpcCode.INVALID_ARGUMENT,
  ERR_INPUT_NAME: GrpcCode.INVALID_ARGUMENT,
  ERR_INPUT_DTYPE: GrpcCode.INVALID_ARGUMENT,
  ERR_INPUT_SHAPE: GrpcCode.INVALID_ARGUMENT,
  ERR_BATCH_TOO_LARGE: GrpcCode.INVALID_ARGUMENT,
  ERR_IMAGE_DECODE: GrpcCode.INVALID_ARGUMENT,
  ERR_MODEL_CARD: GrpcCode.INVALID_ARGUMENT,
  ERR_USAGE: GrpcCode.INVALID_ARGUMENT,
  ERR_UNAUTHORIZED: GrpcCode.UNAUTHENTICATED,
  ERR_MODEL_NOT_FOUND: GrpcCode.NOT_FOUND,
  ERR_FILE_NOT_FOUND: GrpcCode.NOT_FOUND,
  // grpc-js refuses an oversized message itself with RESOURCE_EXHAUSTED; ours says the same.
  ERR_BODY_TOO_LARGE: GrpcCode.RESOURCE_EXHAUSTED,
  ERR_MODEL_NOT_READY: GrpcCode.UNAVAILABLE,
  ERR_QUEUE_FULL: GrpcCode.RESOURCE_EXHAUSTED,
  ERR_SHUTTING_DOWN: GrpcCode.UNAVAILABLE,
  // A runner disposed under a request means a reload or unload raced it; the next try lands on the new version.
  ERR_RUNNER_DISPOSED: GrpcCode.UNAVAILABLE,
  ERR_TIMEOUT: GrpcCode.DEADLINE_EXCEEDED,
  ERR_INFERENCE: GrpcCode.INTERNAL,
  ERR_MODEL_LOAD: GrpcCode.INTERNAL,
});

/** What an error becomes on a gRPC call: status, details (the HTTP `{"error"}` text) and the code. */
export interface GrpcFailure {
  code: GrpcCode;
  details: string;
  errorCode: ErrorCode | 'ERR_INTERNAL';
  /** Trailing metadata: `x-error-code`, as HTTP's header, and `retry-after` when retrying helps. */
  metadata: Metadata;
}

/** The status code's name (OK, INVALID_ARGUMENT…), as logs and metrics show it. */
export const grpcCodeName = (code: GrpcCode): string => GrpcCode[code] ?? String(code);

/** Maps anything a handler threw to its gRPC failure; the message is exactly HTTP's, never a stack. */
export function toGrpcFailure(error: unknown, retryAfterSecs: number): GrpcFailure {
  const http = toHttpFailure(error);
  const code = http.code === 'ERR_INTERNAL' ? GrpcCode.INTERNAL : (GRPC_STATUS[http.code] ?? GrpcCode.INTERNAL);
  const metadata = new Metadata();
  metadata.set('x-error-code', http.code);
  if (http.retryAfter) metadata.set('retry-after', String(retryAfterSecs));
  return { code, details: http.message, errorCode: http.code, metadata };
}
