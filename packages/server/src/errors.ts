import { RUNTIME_ERROR_CODES } from '@oxidizedvision/runtime';

/** The codes only the server raises; http/status.ts maps them (and runtime's) to HTTP statuses. */
export const SERVER_ERROR_CODES = {
  ERR_BAD_REQUEST: 'An HTTP request body or header is malformed (JSON, binary tensor extension, multipart).',
  ERR_BODY_TOO_LARGE: 'The request body exceeds the server body limit.',
  ERR_CONTENT_ENCODING: 'The request body has a Content-Encoding the server does not decode (gzip, deflate, identity).',
  ERR_MODEL_NOT_READY: 'The model (version) exists but is not ready: loading, failed or unloaded.',
  ERR_BATCH_TOO_LARGE: "A request's batch dimension exceeds the model's max_batch_size.",
  ERR_QUEUE_FULL: "The model's request queue is full; retry after a moment.",
  ERR_TIMEOUT: 'The request did not finish within its timeout.',
  ERR_SHUTTING_DOWN: 'The server is draining for shutdown and accepts no new requests.',
} as const;

declare module '@oxidizedvision/runtime' {
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type -- merges the server's codes into ErrorCode
  interface OxvErrorCodeMap extends Record<keyof typeof SERVER_ERROR_CODES, true> {}
}

/** Every code the server can meet: a worker thread reports its error's code as a string, and only these pass as they are. */
export const SERVER_KNOWN_ERROR_CODES = { ...RUNTIME_ERROR_CODES, ...SERVER_ERROR_CODES } as const;
