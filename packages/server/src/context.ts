import type { IdleCollector } from './idle-collection.js';
import type { InFlight } from './in-flight.js';
import type { JsonPool } from './json-workers/json-pool.js';
import type { ModelManager } from './models/types.js';
import type { RequestTarget, ServerMetrics } from './metrics/metrics.js';
import type { ResolvedServerOptions } from './options.js';

/** State every route reads, hung on the app as `app.oxv` (fastify's decorate pattern). */
export interface ServerContext {
  readonly options: ResolvedServerOptions;
  readonly manager: ModelManager;
  readonly metrics: ServerMetrics;
  /** Requests handed to the manager and not settled yet; shutdown waits for them. */
  readonly inFlight: InFlight;
  /** Collects the event loop's garbage once nothing is in flight after large requests (idle-collection.ts). */
  readonly collector: IdleCollector;
  /** Large JSON tensors are parsed and printed here, off the event loop. */
  readonly json: JsonPool;
  /** Set the moment shutdown begins: readiness turns 503 and new inference gets 503 ERR_SHUTTING_DOWN. */
  draining: boolean;
}

declare module 'fastify' {
  interface FastifyInstance {
    oxv: ServerContext;
  }
  interface FastifyRequest {
    /** Set by model routes; failures before the manager saw the request are counted against it. */
    oxvTarget: RequestTarget | null;
    /** True once the request was handed to ModelManager.infer, whose events then count its outcome. */
    oxvReachedManager: boolean;
  }
  interface FastifyContextConfig {
    /** Marks inference routes: their refusals count in the failure metrics and need the inference token. */
    inference?: boolean;
  }
}
