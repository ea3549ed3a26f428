import type { FastifyInstance, FastifyReply } from 'fastify';
import { toHttpFailure, type HttpFailure } from './status.js';

/** Sends the protocol's error shape. The code travels in a header so the body stays exactly `{"error"}`. */
export function sendFailure(reply: FastifyReply, failure: HttpFailure, retryAfterSecs: number): FastifyReply {
  if (failure.retryAfter) reply.header('retry-after', String(retryAfterSecs));
  if (failure.status === 401) reply.header('www-authenticate', 'Bearer realm="oxidizedvision"');
  return reply
    .code(failure.status)
    .header('x-error-code', failure.code)
    .type('application/json; charset=utf-8')
    .send({ error: failure.message });
}

function describe(error: unknown, bodyLimit: number): HttpFailure {
  const failure = toHttpFailure(error);
  // fastify's own wording ("Request body is too large") names neither the limit nor the way to raise it.
  if (failure.code === 'ERR_BODY_TOO_LARGE' && !failure.message.includes('limit')) {
    failure.message = `request body exceeds the server's ${bodyLimit}-byte limit (bodyLimit, --body-limit)`;
  }
  return failure;
}

/**
 * One error path for every route: OxvError codes and fastify's own errors become `{"error": "…"}` with the
 * status from the table in status.ts; nothing thrown by a handler can take the server down or leak a stack.
 */
export function installErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler((error, request, reply) => {
    const { options, metrics } = app.oxv;
    const failure = describe(error, options.bodyLimit);
    if (failure.status >= 500 && failure.status !== 503 && failure.status !== 504) {
      request.log.error({ err: error, code: failure.code }, failure.message);
    } else {
      request.log.info({ code: failure.code, status: failure.status }, failure.message);
    }
    if (request.routeOptions.config.inference && !request.oxvReachedManager) {
      metrics.recordRejected(request.oxvTarget, failure.code);
    }
    return sendFailure(reply, failure, options.retryAfterSecs);
  });

  app.setNotFoundHandler((request, reply) =>
    sendFailure(
      reply,
      {
        status: 404,
        code: 'ERR_BAD_REQUEST',
        message: `no route ${request.method} ${request.url.split('?')[0]}`,
        retryAfter: false,
      },
      app.oxv.options.retryAfterSecs,
    ),
  );
}
