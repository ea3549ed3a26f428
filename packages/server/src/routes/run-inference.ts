import type { FastifyInstance, FastifyRequest } from 'fastify';
import { inferThroughManager } from '../infer-call.js';
import type { InferRequest, InferResult } from '../models/types.js';

/**
 * Hands a decoded request to the model manager. From here on the manager's events count the outcome, so
 * the error handler must not count it again.
 */
export function runInference(
  app: FastifyInstance,
  request: FastifyRequest,
  model: string,
  version: string | undefined,
  inferRequest: Omit<InferRequest, 'requestId' | 'protocol'>,
): Promise<InferResult> {
  return inferThroughManager(app.oxv, model, version, { ...inferRequest, requestId: request.id }, 'http', () => {
    request.oxvReachedManager = true;
  });
}
