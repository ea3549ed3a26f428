import type { FastifyInstance, FastifyRequest } from 'fastify';
import { OxvError } from '@oxidizedvision/runtime';
import type { InferRequest, InferResult } from '../models/types.js';

/**
 * Hands a decoded request to the model manager. From here on the manager's events count the outcome, so
 * the error handler must not count it again; the pending gauge and the in-flight count bracket the call.
 */
export async function runInference(
  app: FastifyInstance,
  request: FastifyRequest,
  model: string,
  version: string | undefined,
  inferRequest: Omit<InferRequest, 'requestId'>,
): Promise<InferResult> {
  const { manager, metrics, inFlight } = app.oxv;
  // Checked here rather than left to the manager: shutdown waits for what is in flight, so nothing new
  // may join once it has begun.
  if (app.oxv.draining)
    throw new OxvError('ERR_SHUTTING_DOWN', 'the server is shutting down; send the request to another replica');
  request.oxvReachedManager = true;
  const leave = inFlight.enter();
  const done = metrics.trackPending(model);
  try {
    return await manager.infer(model, version, { ...inferRequest, requestId: request.id });
  } finally {
    done();
    leave();
  }
}
