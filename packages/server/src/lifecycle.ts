import type { FastifyInstance } from 'fastify';
import type { ServerContext } from './context.js';

export interface ShutdownResult {
  /** False when queued or running requests were still unfinished at the deadline (they got 503). */
  drained: boolean;
}

/**
 * Other listeners over the same context (a gRPC server): shutdown closes them with the HTTP server. Kept
 * beside the context rather than in it, since they attach after buildServer() has returned.
 */
const attached = new WeakMap<ServerContext, Set<() => Promise<void>>>();

export function attachListener(context: ServerContext, close: () => Promise<void>): void {
  const set = attached.get(context) ?? new Set();
  set.add(close);
  attached.set(context, set);
}

/**
 * Graceful shutdown, in the order orchestrators expect: readiness turns 503 and new inference is refused
 * (503 ERR_SHUTTING_DOWN) at once; every request already accepted, queued or running, finishes; then the
 * model workers stop and the HTTP (and gRPC) servers close once the last response is written. Probes keep getting
 * answers during the drain because the listener stays open until the end.
 */
export async function shutdownServer(app: FastifyInstance, options: { timeoutMs: number }): Promise<ShutdownResult> {
  const { manager, inFlight } = app.oxv;
  app.oxv.draining = true;
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(false), options.timeoutMs);
  });
  const drained = await Promise.race([inFlight.whenIdle().then(() => true), deadline]);
  clearTimeout(timer);
  // Nothing is left when drained; after a timeout this rejects what is, so those clients get an answer.
  await manager.drain(0);
  await Promise.all([app.close(), ...[...(attached.get(app.oxv) ?? [])].map((close) => close())]);
  await manager.close();
  return { drained };
}
