import { OxvError } from '@oxidizedvision/runtime';
import type { ServerContext } from './context.js';
import type { Protocol } from './metrics/metrics.js';
import type { InferRequest, InferResult } from './models/types.js';

/**
 * The one way every front end (HTTP routes, gRPC) hands a decoded request to the model manager, so both
 * share its batcher, the drain and the metrics. From the `reached` callback on, the manager's events count
 * the outcome; the pending gauge and the in-flight count bracket the call.
 */
export async function inferThroughManager(
  context: ServerContext,
  model: string,
  version: string | undefined,
  request: Omit<InferRequest, 'protocol'>,
  protocol: Protocol,
  reached: () => void,
): Promise<InferResult> {
  const { manager, metrics, inFlight, collector } = context;
  // Checked here rather than left to the manager: shutdown waits for what is in flight, so nothing new
  // may join once it has begun.
  if (context.draining)
    throw new OxvError('ERR_SHUTTING_DOWN', 'the server is shutting down; send the request to another replica');
  reached();
  const leave = inFlight.enter();
  collector.busy();
  const done = metrics.trackPending(model);
  try {
    return await manager.infer(model, version, { ...request, protocol });
  } finally {
    done();
    leave();
    if (inFlight.count === 0) collector.idle();
  }
}
