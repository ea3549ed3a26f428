import { readFileSync } from 'node:fs';
import { Type } from '@sinclair/typebox';
import { createIssue, createValidator, issuesError, type SchemaIssue } from '@oxidizedvision/runtime/schema';

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
  /**
   * Milliseconds a client has to send the request line and headers, from its first byte (or from the
   * connection, for the first request); past it the server answers 408 and closes. Default 10000.
   */
  headerTimeoutMs?: number;
  /**
   * Milliseconds a client has to send a whole request, headers and body; past it 408 and close. Only the
   * upload counts: a long inference afterwards is bounded by the model's timeoutMs instead. 0 = no bound.
   * Default 120000 (a 64 MiB body at ~0.5 MiB/s).
   */
  requestTimeoutMs?: number;
  /** Milliseconds an idle keep-alive connection stays open between requests. Default 72000 (fastify's). */
  keepAliveTimeoutMs?: number;
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
  /**
   * Worker threads that parse and print large JSON tensors (bodies and responses of 256 KiB or more) off
   * the event loop; 0 keeps them on it (json-workers/json-pool.ts). Default 1.
   */
  jsonThreads?: number;
}

export interface ResolvedServerOptions {
  readonly name: string;
  readonly version: string;
  readonly bodyLimit: number;
  readonly headerTimeoutMs: number;
  readonly requestTimeoutMs: number;
  readonly keepAliveTimeoutMs: number;
  readonly inferenceToken: string | null;
  readonly adminToken: string | null;
  readonly retryAfterSecs: number;
  readonly log: Readonly<{ level: LogLevel; format: 'json' | 'pretty'; stream: LogStream | null }>;
  readonly processMetrics: boolean;
  readonly defaultTopK: number;
  readonly defaultModel: string | null;
  readonly uiDir: string | null;
  readonly jsonThreads: number;
}

export const DEFAULT_BODY_LIMIT = 64 * 1024 * 1024;
export const DEFAULT_HEADER_TIMEOUT_MS = 10_000;
export const DEFAULT_REQUEST_TIMEOUT_MS = 120_000;
export const DEFAULT_KEEP_ALIVE_TIMEOUT_MS = 72_000;
export const DEFAULT_HOST = '127.0.0.1';
export const DEFAULT_JSON_THREADS = 1;
export const DEFAULT_PORT = 8080;

export const SERVER_VERSION = (
  JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }
).version;

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

const NonEmpty = Type.String({ minLength: 1 });
const Count = Type.Integer({ minimum: 1 });
const Millis = Type.Integer({ minimum: 0 });
// An empty or whitespace token would make "no Authorization header" look like a match to careless clients.
const Token = Type.Union([Type.String({ pattern: '^\\S+$' }), Type.Null()], {
  expected: 'a non-empty string without whitespace',
});

/** The schema of ServerOptions; `log.stream` is checked by hand (JSON Schema cannot see a method). */
const ServerOptionsSchema = Type.Object(
  {
    name: Type.Optional(NonEmpty),
    bodyLimit: Type.Optional(Count),
    headerTimeoutMs: Type.Optional(Count),
    requestTimeoutMs: Type.Optional(Millis),
    keepAliveTimeoutMs: Type.Optional(Count),
    inferenceToken: Type.Optional(Token),
    adminToken: Type.Optional(Token),
    retryAfterSecs: Type.Optional(Count),
    log: Type.Optional(
      Type.Object(
        {
          level: Type.Optional(Type.Union(LOG_LEVELS.map((level) => Type.Literal(level)))),
          format: Type.Optional(Type.Union([Type.Literal('json'), Type.Literal('pretty')])),
          stream: Type.Optional(Type.Unknown()),
        },
        { additionalProperties: false },
      ),
    ),
    processMetrics: Type.Optional(Type.Boolean()),
    defaultTopK: Type.Optional(Count),
    defaultModel: Type.Optional(NonEmpty),
    uiDir: Type.Optional(NonEmpty),
    jsonThreads: Type.Optional(Type.Integer({ minimum: 0, maximum: 64 })),
  },
  { additionalProperties: false },
);

const validateServerOptions = createValidator(ServerOptionsSchema, { root: 'options' });

function streamIssues(log: ServerLogOptions | undefined): SchemaIssue[] {
  const stream = log?.stream as { write?: unknown } | undefined;
  if (stream === undefined || typeof stream?.write === 'function') return [];
  return [createIssue(['log', 'stream'], stream, 'an object with a write(line) method', { root: 'options' })];
}

/** node:http refuses a header bound longer than the whole request's, so say it in the options' words. */
function timeoutIssues(options: ServerOptions): SchemaIssue[] {
  const header = options.headerTimeoutMs ?? DEFAULT_HEADER_TIMEOUT_MS;
  const request = options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
  if (request === 0 || header <= request) return [];
  return [
    createIssue(['headerTimeoutMs'], header, `at most requestTimeoutMs (${request})`, {
      root: 'options',
      message: `(${header}) exceeds requestTimeoutMs (${request}): the headers are part of the request`,
    }),
  ];
}

/** Validates buildServer's options once, fills defaults, and freezes the result. */
export function resolveServerOptions(options: ServerOptions = {}): ResolvedServerOptions {
  const issues = validateServerOptions(options);
  if (issues.length === 0) issues.push(...streamIssues(options.log), ...timeoutIssues(options));
  if (issues.length > 0) throw issuesError('ERR_OPTIONS_INVALID', 'Invalid buildServer options', issues);
  const log = options.log;
  return Object.freeze({
    name: options.name ?? 'oxidizedvision',
    version: SERVER_VERSION,
    bodyLimit: options.bodyLimit ?? DEFAULT_BODY_LIMIT,
    headerTimeoutMs: options.headerTimeoutMs ?? DEFAULT_HEADER_TIMEOUT_MS,
    requestTimeoutMs: options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS,
    keepAliveTimeoutMs: options.keepAliveTimeoutMs ?? DEFAULT_KEEP_ALIVE_TIMEOUT_MS,
    inferenceToken: options.inferenceToken ?? null,
    adminToken: options.adminToken ?? null,
    retryAfterSecs: options.retryAfterSecs ?? 1,
    log: Object.freeze(
      log === undefined
        ? { level: 'silent' as const, format: 'json' as const, stream: null }
        : { level: log.level ?? 'info', format: log.format ?? 'json', stream: log.stream ?? null },
    ),
    processMetrics: options.processMetrics ?? true,
    defaultTopK: options.defaultTopK ?? 5,
    defaultModel: options.defaultModel ?? null,
    uiDir: options.uiDir ?? null,
    jsonThreads: options.jsonThreads ?? DEFAULT_JSON_THREADS,
  });
}
