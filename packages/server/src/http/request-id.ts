import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

/** Ids a client may choose: short and printable, so a header cannot inject lines into logs. */
const CLIENT_ID = /^[\w.:@/+=-]{1,128}$/;

/** fastify's genReqId: the client's `x-request-id` when it is sane, else a fresh UUID. */
export function requestId(request: IncomingMessage): string {
  const given = request.headers['x-request-id'];
  return typeof given === 'string' && CLIENT_ID.test(given) ? given : randomUUID();
}
