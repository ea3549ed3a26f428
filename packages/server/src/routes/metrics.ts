import type { FastifyInstance } from 'fastify';

/** Prometheus text exposition of this server's own registry. */
export function metricsRoutes(app: FastifyInstance): void {
  const { registry } = app.oxv.metrics;
  app.get('/metrics', async (_request, reply) => reply.type(registry.contentType).send(await registry.metrics()));
}
