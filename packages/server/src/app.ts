import { fastify, type FastifyInstance } from 'fastify';
import type { ServerContext } from './context.js';
import { requireAdminToken, requireInferenceToken } from './http/auth.js';
import { acceptRawBodies } from './http/body.js';
import { compressInferResponses } from './http/compress-responses.js';
import { installErrorHandling } from './http/errors.js';
import { createIdleCollector } from './idle-collection.js';
import { createInFlight } from './in-flight.js';
import { createJsonPool, DEFAULT_JSON_MIN_BYTES } from './json-workers/json-pool.js';
import { createServerLogger } from './http/logger.js';
import { requestId } from './http/request-id.js';
import { createServerMetrics } from './metrics/metrics.js';
import type { ModelManager } from './models/types.js';
import { resolveServerOptions, type ResolvedServerOptions, type ServerOptions } from './options.js';
import { docsRoutes } from './routes/docs.js';
import { healthRoutes } from './routes/health.js';
import { imageRoutes } from './routes/image.js';
import { inferRoutes } from './routes/infer.js';
import { metricsRoutes } from './routes/metrics.js';
import { modelRoutes } from './routes/models.js';
import { predictRoutes } from './routes/predict.js';
import { repositoryRoutes } from './routes/repository.js';
import { uiRoutes } from './routes/ui.js';
import { isolateUiApi, uiModelRoutes } from './routes/ui-models.js';
import { recordTarget } from './routes/target.js';

export interface BuildServerOptions extends ServerOptions {
  /** The models to serve. The caller owns its lifecycle: start() it (before or after listen) and close() it. */
  manager: ModelManager;
}

function assertManager(manager: unknown): asserts manager is ModelManager {
  const methods = ['start', 'list', 'metadata', 'infer', 'load', 'unload', 'isReady', 'stats', 'drain', 'close', 'on'];
  const missing = methods.filter((m) => typeof (manager as Record<string, unknown> | undefined)?.[m] !== 'function');
  if (missing.length > 0) throw new TypeError(`options.manager must be a ModelManager (missing ${missing.join(', ')})`);
}

/** Logs the model layer's own events through the request logger, so one stream tells the whole story. */
function forwardManagerLogs(app: FastifyInstance, manager: ModelManager): void {
  manager.on('log', (e) => app.log[e.level]({ model: e.model, version: e.version }, e.msg));
  manager.on('state', (e) =>
    app.log.info(
      { model: e.name, version: e.version, state: e.state, reason: e.reason },
      `model ${e.name} version ${e.version} is ${e.state}`,
    ),
  );
}

/**
 * Bounds on slow or stalled clients, enforced by node:http: 408 and close past the header or request
 * bound. Node checks them every `connectionsCheckingInterval` (30 s by default, which let a half-sent
 * request line live ~25 s past a 10 s bound); a quarter of the shorter bound, capped at 1 s, keeps the
 * overshoot small for the cost of one pass over the open connections.
 */
function connectionTimeouts(options: ResolvedServerOptions) {
  const shortest = Math.min(
    options.headerTimeoutMs,
    options.requestTimeoutMs === 0 ? Infinity : options.requestTimeoutMs,
  );
  return {
    requestTimeout: options.requestTimeoutMs,
    keepAliveTimeout: options.keepAliveTimeoutMs,
    http: {
      headersTimeout: options.headerTimeoutMs,
      connectionsCheckingInterval: Math.max(10, Math.min(1000, Math.floor(shortest / 4))),
    },
  };
}

/**
 * The HTTP server: Open Inference Protocol v2 with Triton's extensions, the original toolkit's endpoints,
 * image inference, Prometheus metrics and an OpenAPI document. Returns the fastify app without listening
 * (the CLI listens; tests use app.inject() or listen on port 0).
 */
export function buildServer(options: BuildServerOptions): FastifyInstance {
  const { manager, ...rest } = options ?? ({} as BuildServerOptions);
  assertManager(manager);
  const resolved = resolveServerOptions(rest);
  const app = fastify({
    loggerInstance: createServerLogger(resolved.log),
    bodyLimit: resolved.bodyLimit,
    ...connectionTimeouts(resolved),
    genReqId: requestId,
    // Idle keep-alive sockets would otherwise hold close() (and a SIGTERM drain) open until they time out.
    forceCloseConnections: 'idle',
    routerOptions: { maxParamLength: 256 },
  });
  const context: ServerContext = {
    options: resolved,
    manager,
    metrics: createServerMetrics(manager, { processMetrics: resolved.processMetrics }),
    inFlight: createInFlight(),
    collector: createIdleCollector(),
    json: createJsonPool({ threads: resolved.jsonThreads, minBytes: DEFAULT_JSON_MIN_BYTES }),
    draining: false,
  };
  app.decorate('oxv', context);
  app.decorateRequest('oxvTarget', null);
  app.decorateRequest('oxvReachedManager', false);
  forwardManagerLogs(app, manager);
  acceptRawBodies(app, resolved.bodyLimit);
  installErrorHandling(app);
  compressInferResponses(app);
  app.addHook('onClose', () => context.json.close());

  app.addHook('onRequest', async (request, reply) => {
    reply.header('x-request-id', request.id);
  });
  app.addHook('onResponse', async (request, reply) => {
    context.metrics.observeHttp(
      request.method,
      request.routeOptions.url ?? 'unmatched',
      reply.statusCode,
      reply.elapsedTime / 1000,
    );
  });

  app.register(async (scope) => {
    healthRoutes(scope);
    metricsRoutes(scope);
    docsRoutes(scope);
    if (resolved.uiDir) uiRoutes(scope, resolved.uiDir);
  });
  app.register(async (scope) => {
    // Target first: a request refused for its token still counts against the model it was for.
    scope.addHook('onRequest', recordTarget(scope));
    scope.addHook('onRequest', requireInferenceToken(resolved.inferenceToken));
    modelRoutes(scope);
    inferRoutes(scope);
    imageRoutes(scope);
    predictRoutes(scope);
  });
  app.register(async (scope) => {
    scope.addHook('onRequest', requireAdminToken(resolved.adminToken));
    repositoryRoutes(scope);
  });
  if (resolved.uiDir) {
    app.register(async (scope) => {
      scope.addHook('onRequest', isolateUiApi);
      scope.addHook('onRequest', requireInferenceToken(resolved.inferenceToken));
      uiModelRoutes(scope);
    });
  }
  return app;
}
