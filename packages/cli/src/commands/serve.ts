import { basename, dirname, extname, join } from 'node:path';
import { createRequire } from 'node:module';
import { existsSync } from 'node:fs';
import { Option, type Command } from '@commander-js/extra-typings';
import { InvalidArgumentError } from 'commander';
import { OxvError } from '@oxidizedvision/runtime';
import type * as ServerApi from '@oxidizedvision/server';
import type { ModelManager } from '@oxidizedvision/server';
import type { Logger } from '@oxidizedvision/tools';
import { parseNonNegativeInt, parseNonNegativeNumber, parsePositiveInt } from '../options.js';
import { createContext } from '../context.js';

const collect = (value: string, previous: string[]): string[] => [...previous, value];

/** Drops unset flags, so the defaults they would otherwise overwrite with undefined stay. */
function defined<T extends object>(value: T): { [K in keyof T]?: Exclude<T[K], undefined> } {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as never;
}

function parsePort(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535)
    throw new InvalidArgumentError(`expected a port 0-65535, got "${value}"`);
  return n;
}

function parsePositiveNumber(value: string): number {
  const n = parseNonNegativeNumber(value);
  if (n === 0) throw new InvalidArgumentError(`expected a number > 0, got "${value}"`);
  return n;
}

const UNITS: Record<string, number> = { '': 1, b: 1, kb: 1024, mb: 1024 ** 2, gb: 1024 ** 3 };

/** `67108864`, `64mb`, `512KB`: binary units, as body limits usually are. */
function parseSize(value: string): number {
  const match = /^(\d+(?:\.\d+)?)\s*([kmg]?b?)$/i.exec(value.trim());
  const bytes = match ? Math.floor(Number(match[1]) * UNITS[match[2]!.toLowerCase()]!) : NaN;
  if (!Number.isSafeInteger(bytes) || bytes < 1)
    throw new InvalidArgumentError(`expected a size such as 64mb or 1048576, got "${value}"`);
  return bytes;
}

/** A `--model` value: `name=path.onnx`, a path (named after its file), or a registry `name[:version]`. */
async function resolveModel(value: string): Promise<{ name: string; path: string }> {
  const eq = value.indexOf('=');
  const given = eq === -1 ? undefined : value.slice(0, eq);
  const target = eq === -1 ? value : value.slice(eq + 1);
  if (given === '' || target === '')
    throw new OxvError('ERR_USAGE', `--model "${value}": expected name=path.onnx, a path or a registry name`);
  const looksLikePath = target.endsWith('.onnx') || target.includes('/') || target.includes('\\') || existsSync(target);
  if (looksLikePath) {
    if (!existsSync(target))
      throw new OxvError('ERR_FILE_NOT_FOUND', `model file not found: ${target}`, { details: { file: target } });
    return { name: given ?? basename(target, extname(target)), path: target };
  }
  const { openRegistry, parseModelRef } = await import('@oxidizedvision/tools');
  const ref = parseModelRef(target);
  const registry = openRegistry({ readonly: true });
  try {
    return { name: given ?? ref.name, path: registry.getVersion(ref.name, ref.version).files.onnx.path };
  } finally {
    registry.close();
  }
}

type ServerModule = typeof ServerApi;
type App = ReturnType<ServerModule['buildServer']>;

interface ServeFlags {
  model: string[];
  modelRepository?: string;
  modelControlMode?: 'none' | 'poll' | 'explicit';
  repositoryPollSecs?: number;
  maxBatchSize?: number;
  maxWaitMs?: number;
  maxQueueDelayMs?: number;
  maxQueueSize?: number;
  timeoutMs?: number;
  instances?: number;
  threads?: number;
  ui?: string | boolean;
}

/**
 * The folder `--ui` serves: the one given, else the built demo page of the installed @oxidizedvision/demo
 * workspace. Checked here so a missing build is one clear line at startup, not 404s in the browser.
 */
function resolveUiDir(ui: string | boolean | undefined): string | undefined {
  if (ui === undefined || ui === false) return undefined;
  let dir: string;
  if (typeof ui === 'string') dir = ui;
  else {
    try {
      dir = join(dirname(createRequire(import.meta.url).resolve('@oxidizedvision/demo/package.json')), 'dist');
    } catch {
      throw new OxvError('ERR_FILE_NOT_FOUND', '--ui: the demo page (@oxidizedvision/demo) is not installed', {
        hint: 'give the built page folder: --ui path/to/dist',
      });
    }
  }
  if (!existsSync(join(dir, 'index.html')))
    throw new OxvError('ERR_FILE_NOT_FOUND', `--ui: no built page at ${dir} (index.html missing)`, {
      hint: 'build it with: npm run build -w @oxidizedvision/demo',
      details: { file: dir },
    });
  return dir;
}

/** Combinations commander cannot check on its own. */
function checkFlags(opts: ServeFlags): void {
  if (opts.maxWaitMs !== undefined && opts.maxQueueDelayMs !== undefined && opts.maxWaitMs !== opts.maxQueueDelayMs) {
    throw new OxvError('ERR_USAGE', '--max-wait-ms and --max-queue-delay-ms are the same setting; give one');
  }
  if (opts.model.length === 0 && !opts.modelRepository) {
    throw new OxvError(
      'ERR_USAGE',
      'nothing to serve: give --model name=path.onnx (repeatable) or --model-repository DIR',
    );
  }
  if (!opts.modelRepository && (opts.modelControlMode || opts.repositoryPollSecs !== undefined)) {
    throw new OxvError('ERR_USAGE', '--model-control-mode and --repository-poll-secs need --model-repository');
  }
}

async function resolveModels(values: string[]): Promise<{ name: string; path: string }[]> {
  const models: { name: string; path: string }[] = [];
  for (const value of values) {
    const model = await resolveModel(value);
    if (models.some((m) => m.name === model.name)) {
      throw new OxvError('ERR_USAGE', `two --model flags are named "${model.name}"; name one with name=path`);
    }
    models.push(model);
  }
  return models;
}

/** The flags set every --model's batching and the repository's defaults (a model's config.json still wins). */
function createManager(server: ServerModule, opts: ServeFlags, models: { name: string; path: string }[]): ModelManager {
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
      models: models.map(({ name, path }) => ({ name, source: { kind: 'file', path }, batching, instances })),
      ...(repository ? { repository } : {}),
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
    await app.listen({ host, port });
  } catch (error) {
    await manager.close();
    throw new OxvError('ERR_LISTEN', `cannot listen on ${host}:${port}: ${(error as Error).message}`, {
      cause: error,
      hint: '--port 0 picks any free port',
    });
  }
  const address = app.server.address();
  const bound = typeof address === 'object' && address ? address.port : port;
  return `http://${host.includes(':') ? `[${host}]` : host}:${bound}`;
}

export function registerServe(program: Command<[], Record<string, unknown>>): void {
  program
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
    )
    .option('--max-batch-size <n>', 'largest dynamic batch, 0 = no batching (default 8)', parseNonNegativeInt)
    .option('--max-wait-ms <ms>', 'how long a request may wait for a batch to fill (default 0)', parseNonNegativeNumber)
    .option('--max-queue-delay-ms <ms>', "alias of --max-wait-ms (Triton's name)", parseNonNegativeNumber)
    .option(
      '--max-queue-size <n>',
      'queued requests per model before 503 + Retry-After, 0 = unbounded (default 256)',
      parseNonNegativeInt,
    )
    .option(
      '--timeout-ms <ms>',
      'per-request timeout, queue + compute, 0 = none (default 60000)',
      parseNonNegativeNumber,
    )
    .option('--instances <n>', 'worker threads (sessions) per model (default 1)', parsePositiveInt)
    .option('--threads <n>', 'intra-op threads per instance, 0 = share the cores (default 0)', parseNonNegativeInt)
    .option('--host <host>', 'interface to bind', '127.0.0.1')
    .option('--port <port>', 'port to listen on, 0 = any free port', parsePort, 8080)
    .option('--body-limit <size>', 'largest request body, e.g. 64mb (default 64mb)', parseSize)
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
      new Option('--log-format <format>', 'request logs on stdout (default: pretty on a terminal, else json)').choices([
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
      const manager = createManager(server, opts, models);
      const level = ctx.flags.verbose ? 'debug' : ctx.flags.quiet ? 'warn' : 'info';
      const app = server.buildServer({
        manager,
        log: {
          level,
          format: opts.logFormat ?? (ctx.flags.jsonLog || !process.stdout.isTTY ? 'json' : 'pretty'),
          stream: process.stdout,
        },
        ...defined({
          defaultModel: models[0]?.name,
          bodyLimit: opts.bodyLimit,
          inferenceToken: opts.inferenceToken,
          adminToken: opts.adminToken,
          uiDir,
        }),
      });
      // Installed before loading, so a SIGTERM during a slow load still drains and exits cleanly.
      const signals = handleSignals(server, app, opts.drainTimeout, ctx.logger);
      // Listen first: liveness answers while models load; readiness turns 200 once they are READY.
      const url = await listen(app, manager, opts.host, opts.port);
      await manager.start().catch((error: unknown) => {
        if (!signals.isStopping()) throw error;
      });
      for (const s of manager.list().filter((v) => v.state !== 'READY')) {
        ctx.logger.warn(`model ${s.name} version ${s.version} is ${s.state}${s.reason ? `: ${s.reason}` : ''}`);
      }
      if (!signals.isStopping()) process.stderr.write(`listening on ${url}${uiDir ? ` (page: ${url}/ui/)` : ''}\n`);
      await signals.done;
    });
}
