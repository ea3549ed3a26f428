import type { FastifyInstance } from 'fastify';
import { modelConfigBody, modelMetadataBody } from '../protocol/metadata.js';
import { statsBody } from '../protocol/stats.js';
import { modelSummary } from './model-summary.js';
import { modelParams, withVersions } from './params.js';

/** Model metadata, readiness, Triton's config and statistics, and the original's `GET /models`. */
export function modelRoutes(app: FastifyInstance): void {
  const { manager } = app.oxv;

  // Registered before `/v2/models/:model` so "stats" is never read as a model name.
  app.get('/v2/models/stats', async () => statsBody(manager.stats()));

  for (const url of withVersions('')) {
    app.get(url, async (request) => {
      const { model, version } = modelParams(request);
      return modelMetadataBody(manager.metadata(model, version));
    });
  }

  for (const url of withVersions('/ready')) {
    app.get(url, async (request, reply) => {
      const { model, version } = modelParams(request);
      const meta = manager.metadata(model, version);
      const ready = meta.state === 'READY' && !app.oxv.draining;
      return reply.code(ready ? 200 : 503).send({ name: meta.name, version: meta.version, ready });
    });
  }

  for (const url of withVersions('/config')) {
    app.get(url, async (request) => {
      const { model, version } = modelParams(request);
      return modelConfigBody(manager.metadata(model, version));
    });
  }

  for (const url of withVersions('/stats')) {
    app.get(url, async (request) => {
      const { model, version } = modelParams(request);
      // metadata() first: an unknown model is a 404, not an empty list.
      manager.metadata(model, version);
      return statsBody(manager.stats(model, version));
    });
  }

  app.get('/models', async () => ({ models: manager.list().map((s) => modelSummary(manager, s)) }));
}
