/**
 * The codes runtime itself raises, and those shared by packages that sit side by side above it (tools and
 * the server, the CLI and the browser demo): a code lives in the lowest package that every package raising
 * or handling it depends on. Each other package keeps a table of its own codes in its own errors.ts and
 * adds them to OxvErrorCodeMap; docs/errors.md has one section per package, and a test beside each table
 * keeps it and its section in step.
 */
export const RUNTIME_ERROR_CODES = {
  ERR_USAGE: 'A command-line flag or argument is missing or malformed.',
  ERR_CONFIG_INVALID: 'A config field is missing, unknown, of the wrong type or out of range.',
  ERR_OPTIONS_INVALID:
    'An options object passed to a library function has a missing, unknown, mistyped or out-of-range field.',
  ERR_FILE_NOT_FOUND: 'A file the config or a flag names does not exist.',
  ERR_MODEL_LOAD: 'A runtime could not load the model file.',
  ERR_BACKEND_UNAVAILABLE: 'The requested runtime backend or execution provider is not available here.',
  ERR_INPUT_NAME: 'A feed names an input the model does not have, or a required input is missing.',
  ERR_INPUT_DTYPE: 'A feed has a different data type than the model input.',
  ERR_INPUT_SHAPE: 'A feed has a shape the model input does not accept.',
  ERR_INFERENCE: 'The runtime failed while running the model.',
  ERR_RUNNER_DISPOSED: 'The runner was used after dispose().',
  ERR_MODEL_NOT_FOUND: 'No model of that name (or version) is in the registry.',
  ERR_MODEL_CARD: 'The model card is missing or malformed.',
  ERR_IMAGE_DECODE: 'An image file could not be read or decoded.',
  ERR_UNAUTHORIZED: 'A bearer token is required and was missing or wrong.',
} as const;

/**
 * Every code there is, as keys: one union for all packages. Another package adds its table by declaration
 * merging, so its own code type-checks there and a typo does not compile:
 *
 *     declare module '@oxidizedvision/runtime' {
 *       interface OxvErrorCodeMap extends Record<keyof typeof SERVER_ERROR_CODES, true> {}
 *     }
 *
 * A package sees only the codes of the packages it depends on, so it cannot raise another's by mistake.
 */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type -- filled by extends clauses, here and in each package
export interface OxvErrorCodeMap extends Record<keyof typeof RUNTIME_ERROR_CODES, true> {}

export type ErrorCode = keyof OxvErrorCodeMap;

export interface OxvErrorOptions {
  cause?: unknown;
  /** A short hint on how to fix it, printed on its own line by the CLI. */
  hint?: string;
  /** Structured details for --json output and logs (file, field, expected, got…). */
  details?: Record<string, unknown>;
}

export class OxvError extends Error {
  readonly code: ErrorCode;
  readonly hint: string | undefined;
  readonly details: Record<string, unknown> | undefined;

  constructor(code: ErrorCode, message: string, options: OxvErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'OxvError';
    this.code = code;
    this.hint = options.hint;
    this.details = options.details;
  }
}

export function isOxvError(value: unknown): value is OxvError {
  return value instanceof OxvError;
}
