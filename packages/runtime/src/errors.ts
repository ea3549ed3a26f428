/**
 * Every error OxidizedVision raises on purpose carries one of these stable codes. The CLI maps them to
 * exit codes (usage errors → 2, everything else → 1) and the server to HTTP statuses; docs/errors.md
 * documents each one, and a test keeps that page and this table in step.
 */
export const ERROR_CODES = {
  ERR_USAGE: 'A command-line flag or argument is missing or malformed.',
  ERR_CONFIG_NOT_FOUND: 'The config file does not exist.',
  ERR_CONFIG_PARSE: 'The config file is not valid YAML, or is empty.',
  ERR_CONFIG_INVALID: 'A config field is missing, unknown, of the wrong type or out of range.',
  ERR_OPTIONS_INVALID:
    'An options object passed to a library function has a missing, unknown, mistyped or out-of-range field.',
  ERR_FILE_NOT_FOUND: 'A file the config or a flag names does not exist.',
  ERR_PYTHON_NOT_FOUND: 'No Python interpreter that can import torch was found.',
  ERR_PYTHON_BRIDGE: 'The Python bridge failed in an unexpected way.',
  ERR_MODEL_IMPORT: 'The model source file could not be imported, or the class is not in it.',
  ERR_MODEL_INIT: 'The model class could not be constructed with the given init_args.',
  ERR_CHECKPOINT: 'The checkpoint could not be loaded, or does not match the model.',
  ERR_EXPORT: 'torch.onnx.export or TorchScript tracing failed.',
  ERR_UNSUPPORTED_OPSET: 'The requested ONNX opset is not supported by the installed exporter or runtime.',
  ERR_MODEL_LOAD: 'A runtime could not load the model file.',
  ERR_BACKEND_UNAVAILABLE: 'The requested runtime backend or execution provider is not available here.',
  ERR_INPUT_NAME: 'A feed names an input the model does not have, or a required input is missing.',
  ERR_INPUT_DTYPE: 'A feed has a different data type than the model input.',
  ERR_INPUT_SHAPE: 'A feed has a shape the model input does not accept.',
  ERR_INFERENCE: 'The runtime failed while running the model.',
  ERR_RUNNER_DISPOSED: 'The runner was used after dispose().',
  ERR_MODEL_NOT_FOUND: 'No model of that name (or version) is in the registry.',
  ERR_REGISTRY: 'The registry database could not be read or written.',
  ERR_MODEL_CARD: 'The model card is missing or malformed.',
  ERR_IMAGE_DECODE: 'An image file could not be read or decoded.',
  ERR_ONNX_INVALID: 'The file is not a valid ONNX model: corrupt, truncated, or missing its graph or external data.',
  ERR_QUANTIZE: 'The model cannot be optimized or quantized as asked (opset too old, nothing to quantize).',
  ERR_ACCURACY: 'The optimized model is less accurate than --min-cosine allows; nothing was written.',
  ERR_OUTPUT_WRITE: 'An output file could not be written (folder missing, not writable, disk full).',
  ERR_OUTPUT_EXISTS: 'An output file already exists and --overwrite was not given; nothing was written.',
  ERR_BAD_REQUEST: 'An HTTP request body or header is malformed (JSON, binary tensor extension, multipart).',
  ERR_UNAUTHORIZED: 'A bearer token is required and was missing or wrong.',
  ERR_BODY_TOO_LARGE: 'The request body exceeds the server body limit.',
  ERR_MODEL_NOT_READY: 'The model (version) exists but is not ready: loading, failed or unloaded.',
  ERR_BATCH_TOO_LARGE: "A request's batch dimension exceeds the model's max_batch_size.",
  ERR_QUEUE_FULL: "The model's request queue is full; retry after a moment.",
  ERR_TIMEOUT: 'The request did not finish within its timeout.',
  ERR_SHUTTING_DOWN: 'The server is draining for shutdown and accepts no new requests.',
  ERR_LISTEN: 'The server could not listen on the requested host and port (in use, or not permitted).',
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;

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

/** Usage errors (bad flags, bad config, options built from flags) exit 2; everything else that fails exits 1. */
export function exitCodeFor(code: ErrorCode): 1 | 2 {
  return code === 'ERR_USAGE' ||
    code === 'ERR_CONFIG_INVALID' ||
    code === 'ERR_CONFIG_PARSE' ||
    code === 'ERR_OPTIONS_INVALID'
    ? 2
    : 1;
}
