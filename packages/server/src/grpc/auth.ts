import type { Metadata } from '@grpc/grpc-js';
import { OxvError } from '@oxidizedvision/runtime';
import { matches } from '../http/auth.js';

/** The same token rules as HTTP (http/auth.ts), read from the call's `authorization` metadata. */
export interface GrpcCallInfo {
  metadata: Metadata;
  /** The client's address, for the loopback rule of the repository API. */
  remoteAddress: string;
}

function bearer(metadata: Metadata): string | undefined {
  const value = metadata.get('authorization')[0];
  const match = typeof value === 'string' ? /^Bearer\s+(\S+)\s*$/i.exec(value) : null;
  return match?.[1];
}

const hint = (metadata: Metadata): string =>
  bearer(metadata) === undefined ? 'no bearer token was sent' : 'the bearer token is wrong';

/** Model and inference calls, when an inference token is configured. */
export function checkInferenceToken(call: GrpcCallInfo, token: string | null): void {
  if (token === null || matches(bearer(call.metadata), token)) return;
  throw new OxvError('ERR_UNAUTHORIZED', 'this call needs "authorization: Bearer <inference token>" metadata', {
    hint: hint(call.metadata),
  });
}

const LOOPBACK = new Set(['127.0.0.1', '::1', '::ffff:127.0.0.1']);

/**
 * The repository calls (load/unload change what the server runs): the admin token when one is set, else
 * only clients on this machine, as over HTTP.
 */
export function checkAdminToken(call: GrpcCallInfo, token: string | null): void {
  if (token === null) {
    if (LOOPBACK.has(call.remoteAddress)) return;
    throw new OxvError('ERR_UNAUTHORIZED', 'the repository API answers only local clients when no admin token is set', {
      hint: 'start the server with --admin-token and send "authorization: Bearer <admin token>" metadata',
    });
  }
  if (matches(bearer(call.metadata), token)) return;
  throw new OxvError('ERR_UNAUTHORIZED', 'the repository API needs "authorization: Bearer <admin token>" metadata', {
    hint: hint(call.metadata),
  });
}
