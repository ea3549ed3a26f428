import type { FastifyInstance } from 'fastify';
import { OxvError } from '@oxidizedvision/runtime';
import { parseJsonObject } from '../http/body.js';

/** Triton's model-repository extension: index, load, unload (behind the admin token, see http/auth.ts). */
export function repositoryRoutes(app: FastifyInstance): void {
  const { manager } = app.oxv;

  app.post('/v2/repository/index', async (request) => {
    const body = parseJsonObject(request, 'repository index request', true);
    if (body.ready !== undefined && typeof body.ready !== 'boolean') {
      throw new OxvError('ERR_BAD_REQUEST', '"ready" must be a boolean');
    }
    return manager
      .list()
      .filter((s) => !body.ready || s.state === 'READY')
      .map((s) => ({ name: s.name, version: s.version, state: s.state, reason: s.reason ?? '' }));
  });

  app.post('/v2/repository/models/:model/load', async (request, reply) => {
    const body = parseJsonObject(request, 'load request', true);
    const parameters = (body.parameters ?? {}) as Record<string, unknown>;
    // Triton can take a config override and model files in the body; this server loads only from its source.
    const unsupported = Object.keys(parameters).filter((k) => k === 'config' || k.startsWith('file:'));
    if (unsupported.length > 0) {
      throw new OxvError(
        'ERR_BAD_REQUEST',
        `loading with ${unsupported.join(', ')} in the request is not supported; put the files in the model repository`,
      );
    }
    await manager.load((request.params as { model: string }).model);
    return reply.code(200).send();
  });

  app.post('/v2/repository/models/:model/unload', async (request, reply) => {
    parseJsonObject(request, 'unload request', true);
    await manager.unload((request.params as { model: string }).model);
    return reply.code(200).send();
  });
}
