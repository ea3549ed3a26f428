import type { FastifyInstance } from 'fastify';
import { EXTENSIONS } from '../protocol/metadata.js';
import { modelSummary } from './model-summary.js';

/** Unauthenticated probes: orchestrators must reach them without tokens. */
export function healthRoutes(app: FastifyInstance): void {
  const ctx = app.oxv;
  const ready = (): boolean => !ctx.draining && ctx.manager.isReady();

  // Live while the process can answer at all, draining included: a liveness failure would get it killed
  // in the middle of finishing its queue.
  app.get('/v2/health/live', async () => ({ live: true }));

  app.get('/v2/health/ready', async (_request, reply) => {
    const isReady = ready();
    return reply.code(isReady ? 200 : 503).send({ ready: isReady });
  });

  app.get('/v2', async () => ({ name: ctx.options.name, version: ctx.options.version, extensions: EXTENSIONS }));

  // The original toolkit's health body, with real states instead of a hard-coded "ready".
  app.get('/health', async () => {
    const status = ctx.draining ? 'draining' : ready() ? 'healthy' : 'starting';
    const totals = ctx.metrics.totals();
    return {
      status,
      models: ctx.manager.list().map((s) => modelSummary(ctx.manager, s)),
      total_requests: totals.requests,
      total_errors: totals.errors,
    };
  });
}
