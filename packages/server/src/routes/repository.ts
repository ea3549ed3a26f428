import type { FastifyInstance } from 'fastify';
import { OxvError } from '@oxidizedvision/runtime';
import { parseJsonObject } from '../http/body.js';
import { checkLoadParameters, repositoryIndex } from '../protocol/repository.js';

/** Triton's model-repository extension: index, load, unload (behind the admin token, see http/auth.ts). */
export function repositoryRoutes(app: FastifyInstance): void {
  const { manager } = app.oxv;

  app.post('/v2/repository/index', async (request) => {
    const body = parseJsonObject(request, 'repository index request', true);
    if (body.ready !== undefined && typeof body.ready !== 'boolean') {
      throw new OxvError('ERR_BAD_REQUEST', '"ready" must be a boolean');
    }
    return repositoryIndex(manager, body.ready === true);
  });

  app.post('/v2/repository/models/:model/load', async (request, reply) => {
    const body = parseJsonObject(request, 'load request', true);
    checkLoadParameters(Object.keys((body.parameters ?? {}) as Record<string, unknown>));
    await manager.load((request.params as { model: string }).model);
    return reply.code(200).send();
  });

  app.post('/v2/repository/models/:model/unload', async (request, reply) => {
    parseJsonObject(request, 'unload request', true);
    await manager.unload((request.params as { model: string }).model);
    return reply.code(200).send();
  });
}
