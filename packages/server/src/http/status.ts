import { isOxvError, type ErrorCode } from '@oxidizedvision/runtime';

/**
 * The one table from error codes to HTTP statuses. Client mistakes are 4xx, so retrying them is pointless;
 * 503 means "retry later" (queue full, loading, draining) and always carries Retry-After; a code missing
 * here is a server fault (500).
 */
export const HTTP_STATUS: Readonly<Partial<Record<ErrorCode, number>>> = Object.freeze({
  ERR_BAD_REQUEST: 400,
  ERR_INPUT_NAME: 400,
  ERR_INPUT_DTYPE: 400,
  ERR_INPUT_SHAPE: 400,
  ERR_BATCH_TOO_LARGE: 400,
  ERR_IMAGE_DECODE: 400,
  // The image endpoint needs a model card (preprocess, task); a model without one is the caller's mismatch.
  ERR_MODEL_CARD: 400,
  ERR_USAGE: 400,
  ERR_UNAUTHORIZED: 401,
  ERR_MODEL_NOT_FOUND: 404,
  ERR_FILE_NOT_FOUND: 404,
  ERR_BODY_TOO_LARGE: 413,
  ERR_CONTENT_ENCODING: 415,
  ERR_MODEL_NOT_READY: 503,
  ERR_QUEUE_FULL: 503,
  ERR_SHUTTING_DOWN: 503,
  // A runner disposed under a request means a reload or unload raced it; the next try lands on the new version.
  ERR_RUNNER_DISPOSED: 503,
  ERR_TIMEOUT: 504,
  ERR_INFERENCE: 500,
  ERR_MODEL_LOAD: 500,
});

/** What an error becomes on the wire: status, the protocol's `{"error"}` text and the code for logs and metrics. */
export interface HttpFailure {
  status: number;
  code: ErrorCode | 'ERR_INTERNAL';
  message: string;
  retryAfter: boolean;
}

interface FastifyLikeError {
  code?: unknown;
  statusCode?: unknown;
  message?: unknown;
}

/** fastify's own errors (body parsing, limits, media type) carry FST_ codes and a 4xx statusCode. */
function fromFastify(error: FastifyLikeError): HttpFailure | undefined {
  if (typeof error.code !== 'string' || !error.code.startsWith('FST_')) return undefined;
  const status = typeof error.statusCode === 'number' ? error.statusCode : 500;
  if (status === 413) {
    return { status, code: 'ERR_BODY_TOO_LARGE', message: String(error.message), retryAfter: false };
  }
  if (status >= 400 && status < 500) {
    return { status, code: 'ERR_BAD_REQUEST', message: String(error.message), retryAfter: false };
  }
  return undefined;
}

/** Maps anything thrown by a route to its HTTP failure; never exposes a stack. */
export function toHttpFailure(error: unknown): HttpFailure {
  if (isOxvError(error)) {
    const status = HTTP_STATUS[error.code] ?? 500;
    const message = error.hint ? `${error.message} (${error.hint})` : error.message;
    return { status, code: error.code, message, retryAfter: status === 503 };
  }
  const fastify = typeof error === 'object' && error !== null ? fromFastify(error as FastifyLikeError) : undefined;
  if (fastify) return fastify;
  const message = error instanceof Error ? error.message.split('\n')[0]! : String(error);
  return { status: 500, code: 'ERR_INTERNAL', message: `internal error: ${message}`, retryAfter: false };
}
