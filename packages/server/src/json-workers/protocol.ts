import type { Tensor } from '@oxidizedvision/runtime';
import type { RequestedOutput } from '../protocol/infer-request.js';
import type { WireError } from '../workers/protocol.js';

/** Messages between the event loop and a JSON worker (json-worker.ts). */
export type JsonJob =
  | { type: 'parse'; id: number; bytes: Uint8Array; what: string }
  | {
      type: 'encode';
      id: number;
      modelName: string;
      modelVersion: string;
      outputs: Record<string, Tensor>;
      requestId: string | undefined;
      requested: RequestedOutput[];
    };

export type JsonAnswer =
  | { type: 'parsed'; id: number; value: unknown }
  | { type: 'encoded'; id: number; bytes: Uint8Array }
  | { type: 'failed'; id: number; error: WireError };

/**
 * A NumberArray (the parser's typed-array `data`) loses its class crossing threads; the worker sends it
 * as this tagged object and the event loop makes it a NumberArray again.
 */
export const NUMBER_ARRAY_TAG = '__oxvNumberArray';
