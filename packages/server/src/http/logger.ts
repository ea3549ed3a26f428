import type { FastifyBaseLogger } from 'fastify';
import { pino, type DestinationStream } from 'pino';
import type { ResolvedServerOptions } from '../options.js';
import { prettyStream } from './pretty.js';

/** The pino logger fastify logs requests with (request ids come from fastify's child loggers). */
export function createServerLogger(log: ResolvedServerOptions['log']): FastifyBaseLogger {
  const stream = log.stream ?? process.stdout;
  return pino(
    { level: log.level, base: { pid: process.pid } },
    log.format === 'pretty' ? prettyStream(stream) : (stream as DestinationStream),
  );
}
