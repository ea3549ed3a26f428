import { readFileSync } from 'node:fs';

/** Where pino writes: anything with write(line), e.g. process.stdout or a test's collector. */
export interface LogStream {
  write(line: string): unknown;
}

export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';

export interface ServerLogOptions {
  /** Default 'info'. 'silent' turns request logs off (the library default when `log` is absent). */
  level?: LogLevel;
  /** 'json': one pino JSON object a line (the default); 'pretty': `12:00:01.234 INFO [req-1] message` lines. */
  format?: 'json' | 'pretty';
  /** Default process.stdout. */
  stream?: LogStream;
}

/** What buildServer accepts besides the models; validated once by resolveServerOptions, then frozen. */
export interface ServerOptions {
  /** Server name reported by `GET /v2`. Default 'oxidizedvision'. */
  name?: string;
  /** Largest request body in bytes; larger bodies get 413 ERR_BODY_TOO_LARGE. Default 64 MiB (Triton's). */
  bodyLimit?: number;
  /** When set, model and inference routes need `Authorization: Bearer <inferenceToken>`. */
  inferenceToken?: string;
  /**
   * When set, the repository API (`/v2/repository/...`) needs `Authorization: Bearer <adminToken>`; when not
   * set, the repository API answers only clients on the loopback interface.
   */
  adminToken?: string;
  /** Seconds sent in `Retry-After` with 503 ERR_QUEUE_FULL / ERR_MODEL_NOT_READY / ERR_SHUTTING_DOWN. Default 1. */
  retryAfterSecs?: number;
  /** Request logs; absent = silent (libraries never print unless asked). */
  log?: ServerLogOptions;
  /** Collect Node's default process metrics (CPU, memory, event-loop lag, GC) into /metrics. Default true. */
  processMetrics?: boolean;
  /** Default `top_k` of the image endpoint's classification answer. Default 5. */
  defaultTopK?: number;
  /**
   * The model `POST /predict` (no name) runs, as the original's first `--model`. Default: the only model,
   * when exactly one is served.
   */
  defaultModel?: string;
  /** A built browser page (apps/demo's dist/) to serve at /ui/ with COOP/COEP headers: `serve --ui`. */
  uiDir?: string;
}

export interface ResolvedServerOptions {
  readonly name: string;
  readonly version: string;
  readonly bodyLimit: number;
  readonly inferenceToken: string | null;
  readonly adminToken: string | null;
  readonly retryAfterSecs: number;
  readonly log: Readonly<{ level: LogLevel; format: 'json' | 'pretty'; stream: LogStream | null }>;
  readonly processMetrics: boolean;
  readonly defaultTopK: number;
  readonly defaultModel: string | null;
  readonly uiDir: string | null;
}

export const DEFAULT_BODY_LIMIT = 64 * 1024 * 1024;
export const DEFAULT_HOST = '127.0.0.1';
export const DEFAULT_PORT = 8080;

export const SERVER_VERSION = (
  JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }
).version;

const LOG_LEVELS: readonly LogLevel[] = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];
const KNOWN_KEYS = new Set([
  'name',
  'bodyLimit',
  'inferenceToken',
  'adminToken',
  'retryAfterSecs',
  'log',
  'processMetrics',
  'defaultTopK',
  'defaultModel',
  'uiDir',
]);

function positiveInt(value: unknown, name: string, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 1) {
    throw new RangeError(`options.${name} must be a positive integer, got ${String(value)}`);
  }
  return value;
}

function token(value: unknown, name: string): string | null {
  if (value === undefined || value === null) return null;
  // An empty or whitespace token would make "no Authorization header" look like a match to careless clients.
  if (typeof value !== 'string' || value.trim() === '' || /\s/.test(value)) {
    throw new TypeError(`options.${name} must be a non-empty string without whitespace`);
  }
  return value;
}

function resolveLog(log: ServerLogOptions | undefined): ResolvedServerOptions['log'] {
  if (log === undefined) return Object.freeze({ level: 'silent', format: 'json', stream: null });
  if (typeof log !== 'object' || log === null) throw new TypeError('options.log must be an object');
  const level = log.level ?? 'info';
  if (!LOG_LEVELS.includes(level)) throw new RangeError(`options.log.level must be one of ${LOG_LEVELS.join(', ')}`);
  const format = log.format ?? 'json';
  if (format !== 'json' && format !== 'pretty') throw new RangeError("options.log.format must be 'json' or 'pretty'");
  if (log.stream !== undefined && typeof log.stream?.write !== 'function') {
    throw new TypeError('options.log.stream must have a write(line) method');
  }
  return Object.freeze({ level, format, stream: log.stream ?? null });
}

/** Validates buildServer's options once, fills defaults, and freezes the result. */
export function resolveServerOptions(options: ServerOptions = {}): ResolvedServerOptions {
  if (typeof options !== 'object' || options === null) throw new TypeError('options must be an object');
  const unknown = Object.keys(options).filter((key) => !KNOWN_KEYS.has(key));
  if (unknown.length > 0) throw new TypeError(`unknown server option(s): ${unknown.join(', ')}`);
  const name = options.name ?? 'oxidizedvision';
  if (typeof name !== 'string' || name === '') throw new TypeError('options.name must be a non-empty string');
  if (options.defaultModel !== undefined && (typeof options.defaultModel !== 'string' || options.defaultModel === '')) {
    throw new TypeError('options.defaultModel must be a non-empty string');
  }
  if (options.uiDir !== undefined && (typeof options.uiDir !== 'string' || options.uiDir === '')) {
    throw new TypeError('options.uiDir must be a non-empty string');
  }
  if (options.processMetrics !== undefined && typeof options.processMetrics !== 'boolean') {
    throw new TypeError('options.processMetrics must be a boolean');
  }
  return Object.freeze({
    name,
    version: SERVER_VERSION,
    bodyLimit: positiveInt(options.bodyLimit, 'bodyLimit', DEFAULT_BODY_LIMIT),
    inferenceToken: token(options.inferenceToken, 'inferenceToken'),
    adminToken: token(options.adminToken, 'adminToken'),
    retryAfterSecs: positiveInt(options.retryAfterSecs, 'retryAfterSecs', 1),
    log: resolveLog(options.log),
    processMetrics: options.processMetrics ?? true,
    defaultTopK: positiveInt(options.defaultTopK, 'defaultTopK', 5),
    defaultModel: options.defaultModel ?? null,
    uiDir: options.uiDir ?? null,
  });
}
