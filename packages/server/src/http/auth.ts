import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import { OxvError } from '@oxidizedvision/runtime';

const digest = (text: string): Buffer => createHash('sha256').update(text).digest();

function bearer(request: FastifyRequest): string | undefined {
  const header = request.headers.authorization;
  const match = typeof header === 'string' ? /^Bearer\s+(\S+)\s*$/i.exec(header) : null;
  return match?.[1];
}

/** Compares digests in constant time, so response timing does not reveal how much of a token matched. */
export function matches(given: string | undefined, expected: string): boolean {
  return given !== undefined && timingSafeEqual(digest(given), digest(expected));
}

/** onRequest hook: the inference token, when one is configured. */
export function requireInferenceToken(token: string | null) {
  return async (request: FastifyRequest): Promise<void> => {
    if (token === null || matches(bearer(request), token)) return;
    throw new OxvError('ERR_UNAUTHORIZED', 'this route needs "Authorization: Bearer <inference token>"', {
      hint: bearer(request) === undefined ? 'no bearer token was sent' : 'the bearer token is wrong',
    });
  };
}

const LOOPBACK = new Set(['127.0.0.1', '::1', '::ffff:127.0.0.1']);

/**
 * onRequest hook for the repository API (load/unload change what the server runs). With an admin token it
 * is required; without one, only clients on this machine may call it, so a server bound to 0.0.0.0 without
 * a token never exposes model management to the network.
 */
export function requireAdminToken(token: string | null) {
  return async (request: FastifyRequest): Promise<void> => {
    if (token === null) {
      if (LOOPBACK.has(request.socket.remoteAddress ?? '')) return;
      throw new OxvError(
        'ERR_UNAUTHORIZED',
        'the repository API answers only local clients when no admin token is set',
        {
          hint: 'start the server with --admin-token and send "Authorization: Bearer <admin token>"',
        },
      );
    }
    if (matches(bearer(request), token)) return;
    throw new OxvError('ERR_UNAUTHORIZED', 'the repository API needs "Authorization: Bearer <admin token>"', {
      hint: bearer(request) === undefined ? 'no bearer token was sent' : 'the bearer token is wrong',
    });
  };
}
