import { Option, type Command } from '@commander-js/extra-typings';
import { OxvError } from '@oxidizedvision/runtime';
import type * as ServerApi from '@oxidizedvision/server';
import type { ModelManager } from '@oxidizedvision/server';
import type { Logger } from '@oxidizedvision/tools';
import {
  addOptions,
  collect,
  parseListenPort,
  parseNice,
  parseNonNegativeInt,
  parseNonNegativeNumber,
  parsePositiveInt,
  parsePositiveNumber,
  parseSize,
  valueOption,
} from '../options.js';
import { createContext } from '../context.js';
import { checkFlags, defined, type ServeFlags } from './serve-flags.js';
import { resolveModels, resolveUiDir, type ServedModel } from './serve-models.js';

type ServerModule = typeof ServerApi;
type App = ReturnType<ServerModule['buildServer']>;

/** The flags set every --model's batching and the repository's defaults (a model's config.json still wins). */
function createManager(server: ServerModule, opts: ServeFlags, models: ServedModel[]): ModelManager {
  const wait = opts.maxWaitMs ?? opts.maxQueueDelayMs;
  const batching = {
    ...server.DEFAULT_BATCHING,
    ...defined({
      maxBatchSize: opts.maxBatchSize,
      maxQueueDelayMs: wait,
      maxQueueSize: opts.maxQueueSize,
      timeoutMs: opts.timeoutMs,
    }),
  };
  const instances = { ...server.DEFAULT_INSTANCES, ...defined({ count: opts.instances, threads: opts.threads }) };
  const repository = opts.modelRepository && {
    dir: opts.modelRepository,
    controlMode: opts.modelControlMode ?? 'none',
    ...defined({ pollSecs: opts.repositoryPollSecs }),
    defaults: { batching, instances },
  };
  try {
    return server.createModelManager({
      models: models.map(({ name, path, version }) => ({
        name,
        source: { kind: 'file', path, ...defined({ version }) },
        batching,
        instances,
      })),
      ...(repository ? { repository } : {}),
      ...defined({ workerNice: opts.workerNice }),
    });
  } catch (error) {
    // The manager checks ranges with TypeError/RangeError naming the field; here they can only come from flags.
    if (error instanceof TypeError || error instanceof RangeError)
      throw new OxvError('ERR_USAGE', error.message, { cause: error });
    throw error;
  }
}

/**
 * SIGTERM/SIGINT drain the server (this process handles them itself: no wrapper between it and the
 * orchestrator). Exit code 0 once every accepted request was answered, 1 if the drain timed out; a second
 * signal exits at once. Resolves `done` when the server has stopped.
 */
function handleSignals(server: ServerModule, app: App, drainSecs: number, logger: Logger) {
  let stopping = false;
  let stopped!: () => void;
  const done = new Promise<void>((resolve) => (stopped = resolve));
  const stop = (signal: string): void => {
    if (stopping) {
      logger.warn(`${signal} again: exiting without waiting for the drain`);
      process.exit(1);
    }
    stopping = true;
    logger.info(`${signal}: not ready any more; finishing queued and running requests (up to ${drainSecs} s)`);
    server
      .shutdownServer(app, { timeoutMs: drainSecs * 1000 })
      .then(({ drained }) => {
        if (!drained) logger.error(`drain timed out after ${drainSecs} s; unfinished requests got 503`);
        process.exitCode = drained ? 0 : 1;
      })
      .catch((error: unknown) => {
        logger.error(`shutdown failed: ${(error as Error).message}`);
        process.exitCode = 1;
      })
      .finally(() => {
        stopped();
        // A handle nobody closed (a stray socket, a timer) must not keep a stopped server alive.
        setTimeout(() => process.exit(), 3000).unref();
      });
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
  return { done, isStopping: () => stopping };
}

async function listen(app: App, manager: ModelManager, host: string, port: number): Promise<string> {
  try {
    // fastify's own "Server listening at" would come before the models load, and scripts wait for the
    // word: the one line that says listening is printed once the models are ready (the action below).
    await app.listen({ host, port, listenTextResolver: (address) => `bound to ${address}; loading models` });
  } catch (error) {
    await manager.close();
    throw new OxvError('ERR_LISTEN', `cannot listen on ${host}:${port}: ${(error as Error).message}`, {
      cause: error,
      hint: '--port 0 picks any free port',
    });
  }
  const address = app.server.address();
  const bound = typeof address === 'object' && address ? address.port : port;
  return `http://${hostPort(host, bound)}`;
}

const hostPort = (host: string, port: number): string => `${host.includes(':') ? `[${host}]` : host}:${port}`;

/** gRPC beside HTTP, on the same host: bound before the models load, as HTTP is, so clients can wait on ServerReady. */
async function listenGrpc(
  server: ServerModule,
  app: App,
  manager: ModelManager,
  host: string,
  port: number,
): Promise<string> {
  try {
    const grpc = await server.startGrpcServer(app, { host, port });
    return hostPort(host, grpc.port);
  } catch (error) {
    await app.close();
    await manager.close();
    throw new OxvError('ERR_LISTEN', `cannot listen for gRPC on ${host}:${port}: ${(error as Error).message}`, {
      cause: error,
      hint: '--grpc-port 0 picks any free port; it must differ from --port',
    });
  }
}

/** How requests are queued and batched, per model (a repository's config.json can override them). */
const batchingOptions = () =>
  [
    valueOption('--max-batch-size <n>', 'largest dynamic batch, 0 = no batching (default 8)', parseNonNegativeInt),
    valueOption(
      '--max-wait-ms <ms>',
      'how long a request may wait for a batch to fill (default 0)',
      parseNonNegativeNumber,
    ),
    valueOption('--max-queue-delay-ms <ms>', "alias of --max-wait-ms (Triton's name)", parseNonNegativeNumber),
    valueOption(
      '--max-queue-size <n>',
      'queued requests per model before 503 + Retry-After, 0 = unbounded (default 256)',
      parseNonNegativeInt,
    ),
    valueOption(
      '--timeout-ms <ms>',
      'per-request timeout, queue + compute, 0 = none (default 60000)',
      parseNonNegativeNumber,
    ),
  ] as const;

/** How many onnxruntime sessions serve each model, and on how many threads. */
const instanceOptions = () =>
  [
    valueOption('--instances <n>', 'worker threads (sessions) per model (default 2)', parsePositiveInt),
    valueOption('--threads <n>', 'intra-op threads per instance, 0 = share the cores (default 0)', parseNonNegativeInt),
    valueOption(
      '--worker-nice <n>',
      'nice value 0-19 of the inference threads on Linux, 0 = same priority as the event loop (default 5)',
      parseNice,
    ),
  ] as const;

export function registerServe(program: Command<[], Record<string, unknown>>): void {
  const serve = program
    .command('serve')
    .description('Serve models over HTTP: Open Inference Protocol v2, dynamic batching, hot reload, Prometheus metrics')
    .option(
      '-m, --model <model>',
      'name=path.onnx, a path, or a registry name[:version] (repeatable)',
      collect,
      [] as string[],
    )
    .option(
      '--model-repository <dir>',
      'serve a Triton-layout folder: <name>/<version>/model.onnx [+ <name>/config.json]',
    )
    .addOption(
      new Option(
        '--model-control-mode <mode>',
        'repository loading: none, poll (hot reload) or explicit (API only)',
      ).choices(['none', 'poll', 'explicit'] as const),
    )
    .option(
      '--repository-poll-secs <s>',
      'seconds between repository scans in poll mode (default 15)',
      parsePositiveNumber,
    );
  addOptions(addOptions(serve, batchingOptions()), instanceOptions())
    .option('--host <host>', 'interface to bind', '127.0.0.1')
    .option('--port <port>', 'port to listen on, 0 = any free port', parseListenPort, 8080)
    .option(
      '--grpc-port <port>',
      'also serve KServe v2 / Triton gRPC on this port (same host, models and limits), 0 = any free port (default: off)',
      parseListenPort,
    )
    .option('--body-limit <size>', 'largest request body, e.g. 64mb (default 64mb)', parseSize)
    .option(
      '--json-threads <n>',
      'threads that parse and print large JSON tensors off the event loop, 0 = on it (default 1)',
      parseNonNegativeInt,
    )
    .option(
      '--header-timeout-ms <ms>',
      'time a client has to send the request line and headers, then 408 (default 10000)',
      parsePositiveInt,
    )
    .option(
      '--request-timeout-ms <ms>',
      'time a client has to send a whole request (headers + body), then 408, 0 = none (default 120000)',
      parseNonNegativeInt,
    )
    .option(
      '--keep-alive-timeout-ms <ms>',
      'how long an idle keep-alive connection stays open (default 72000)',
      parsePositiveInt,
    )
    .addOption(
      new Option('--inference-token <token>', 'require "Authorization: Bearer <token>" on model routes').env(
        'OXV_INFERENCE_TOKEN',
      ),
    )
    .addOption(
      new Option('--admin-token <token>', 'require "Authorization: Bearer <token>" on the repository API').env(
        'OXV_ADMIN_TOKEN',
      ),
    )
    .addOption(
      new Option('--log-format <format>', 'request logs on stdout (default: pretty; json with --json-log)').choices([
        'json',
        'pretty',
      ] as const),
    )
    .option(
      '--drain-timeout <s>',
      'seconds SIGTERM waits for queued and running requests (default 30)',
      parseNonNegativeNumber,
      30,
    )
    .option('--ui [dir]', 'also serve the browser page at /ui/ (default: the built apps/demo)')
    .action(async (opts, command) => {
      const ctx = createContext(command);
      checkFlags(opts);
      const uiDir = resolveUiDir(opts.ui);
      const models = await resolveModels(opts.model);
      const server = await import('@oxidizedvision/server');
      // This process is the server's own: collect garbage when idle after large requests (before the
      // workers start, so they do too), or their memory would stay resident while no traffic comes.
      server.enableIdleCollection();
      const manager = createManager(server, opts, models);
      const level = ctx.flags.verbose ? 'debug' : ctx.flags.quiet ? 'warn' : 'info';
      const app = server.buildServer({
        manager,
        log: {
          level,
          // Human-readable unless asked: a log collector that wants JSON says so (--json-log), while a person
          // piping the output through tee or a CI log would otherwise get pino's JSON mixed with plain lines.
          format: opts.logFormat ?? (ctx.flags.jsonLog ? 'json' : 'pretty'),
          stream: process.stdout,
        },
        ...defined({
          defaultModel: models[0]?.name,
          bodyLimit: opts.bodyLimit,
          jsonThreads: opts.jsonThreads,
          headerTimeoutMs: opts.headerTimeoutMs,
          requestTimeoutMs: opts.requestTimeoutMs,
          keepAliveTimeoutMs: opts.keepAliveTimeoutMs,
          inferenceToken: opts.inferenceToken,
          adminToken: opts.adminToken,
          uiDir,
        }),
      });
      // Installed before loading, so a SIGTERM during a slow load still drains and exits cleanly.
      const signals = handleSignals(server, app, opts.drainTimeout, ctx.logger);
      // Listen first: liveness answers while models load; readiness turns 200 once they are READY.
      const url = await listen(app, manager, opts.host, opts.port);
      const grpcUrl =
        opts.grpcPort === undefined ? undefined : await listenGrpc(server, app, manager, opts.host, opts.grpcPort);
      await manager.start().catch((error: unknown) => {
        if (!signals.isStopping()) throw error;
      });
      for (const s of manager.list().filter((v) => v.state !== 'READY')) {
        ctx.logger.warn(`model ${s.name} version ${s.version} is ${s.state}${s.reason ? `: ${s.reason}` : ''}`);
      }
      const extras = [grpcUrl && `gRPC: ${grpcUrl}`, uiDir && `page: ${url}/ui/`].filter(Boolean);
      if (!signals.isStopping()) {
        process.stderr.write(`listening on ${url}${extras.length > 0 ? ` (${extras.join(', ')})` : ''}\n`);
      }
      await signals.done;
    });
}
