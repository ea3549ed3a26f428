import type { FastifyInstance, FastifyRequest } from 'fastify';
import { defaultModelName } from './default-model.js';

/**
 * onRequest hook of the inference routes: records which model a request is for before anything can refuse
 * it (token, body limit, JSON), so those refusals are counted against the model in /metrics.
 */
export function recordTarget(app: FastifyInstance) {
  return async (request: FastifyRequest): Promise<void> => {
    const params = request.params as { model?: string; version?: string };
    // /predict without a model name means the default model.
    const model = params.model ?? defaultModelName(app.oxv);
    if (model !== null) request.oxvTarget = { model, version: params.version ?? '' };
  };
}
