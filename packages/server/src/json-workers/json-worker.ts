/**
 * Entry script of a JSON worker thread: parses large JSON request bodies and prints large JSON responses
 * with the same codecs the event loop uses (protocol/json), so that their tens of milliseconds per
 * request run beside the event loop instead of on it (json-pool.ts says when).
 */
import { parentPort } from 'node:worker_threads';
import { NumberArray } from '../protocol/json/number-array.js';
import { parseJson } from '../protocol/json/parse-json.js';
import { encodeInferResponse } from '../protocol/infer-response.js';
import { isShared } from '../buffers.js';
import { toWireError } from '../workers/transfer.js';
import { NUMBER_ARRAY_TAG, type JsonAnswer, type JsonJob } from './protocol.js';

const port = parentPort;
if (port === null) throw new Error('json-worker.js must run in a worker thread');

/** NumberArrays as tagged plain objects, their typed arrays' buffers listed for transfer (no copy). */
function tagNumberArrays(value: unknown, transfer: ArrayBuffer[]): unknown {
  if (value instanceof NumberArray) {
    // Shared memory is shared as it is (and cannot be transferred); an ordinary buffer moves.
    if (!isShared(value.values.buffer)) transfer.push(value.values.buffer as ArrayBuffer);
    return {
      [NUMBER_ARRAY_TAG]: true,
      values: value.values,
      firstBoolean: value.firstBoolean,
      firstNumber: value.firstNumber,
      longIntegers: value.longIntegers,
    };
  }
  if (Array.isArray(value)) {
    // Arrays of numbers or strings hold no NumberArray: only objects and arrays are walked into.
    for (let i = 0; i < value.length; i++) {
      const v: unknown = value[i];
      if (typeof v === 'object' && v !== null) value[i] = tagNumberArrays(v, transfer);
    }
    return value;
  }
  if (typeof value === 'object' && value !== null) {
    const record = value as Record<string, unknown>;
    for (const key of Object.keys(record)) record[key] = tagNumberArrays(record[key], transfer);
  }
  return value;
}

function answer(job: JsonJob): { message: JsonAnswer; transfer: ArrayBuffer[] } {
  const transfer: ArrayBuffer[] = [];
  if (job.type === 'parse') {
    const value = tagNumberArrays(parseJson(job.bytes, job.what), transfer);
    return { message: { type: 'parsed', id: job.id, value }, transfer };
  }
  const result = {
    modelName: job.modelName,
    modelVersion: job.modelVersion,
    outputs: job.outputs,
    timing: { queueMs: 0, computeMs: 0, totalMs: 0, batchSize: 1 },
  };
  const encoded = encodeInferResponse(result, job.requestId, job.requested);
  const bytes = encoded.json ?? new Uint8Array(0);
  // A Buffer this large has a buffer of its own (Node pools only small ones): move it rather than copy.
  // (Not shared memory: fastify would send a Buffer over a SharedArrayBuffer as JSON of its bytes.)
  const whole = bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength;
  const out = whole ? bytes : new Uint8Array(bytes);
  transfer.push(out.buffer as ArrayBuffer);
  return { message: { type: 'encoded', id: job.id, bytes: out }, transfer };
}

port.on('message', (job: JsonJob) => {
  try {
    const { message, transfer } = answer(job);
    port.postMessage(message, transfer);
  } catch (error) {
    port.postMessage({ type: 'failed', id: job.id, error: toWireError(error) } satisfies JsonAnswer);
  }
});
