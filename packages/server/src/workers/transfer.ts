import { OxvError, isOxvError, type ErrorCode, type Tensor } from '@oxidizedvision/runtime';
import { SERVER_KNOWN_ERROR_CODES } from '../errors.js';
import { copyTensorData, isExclusive, isShared } from '../buffers.js';
import type { WireError } from './protocol.js';

/**
 * Prepares tensors for postMessage without copies where that is safe. A tensor in a SharedArrayBuffer
 * that one request owns (a large request body, buffers.ts) or that a worker made for its output is
 * shared as it is. Otherwise it is transferred when its data covers its whole ArrayBuffer, or views a
 * buffer that one request owns outright: the whole buffer moves and the sender's views are detached.
 * Any other view is copied once into an exact buffer first: structured clone would otherwise copy the
 * whole backing buffer, which for a slice of Node's shared Buffer pool can be far larger than the
 * tensor. Several tensors viewing one buffer share its single transfer.
 */
export function forTransfer(tensors: Record<string, Tensor>): {
  tensors: Record<string, Tensor>;
  transfer: ArrayBuffer[];
} {
  const transfer = new Set<ArrayBuffer>();
  const out: Record<string, Tensor> = {};
  for (const [name, tensor] of Object.entries(tensors)) out[name] = transferable(tensor, transfer);
  return { tensors: out, transfer: [...transfer] };
}

/** forTransfer for batch parts: per input, the requests' tensors in batch order. */
export function partsForTransfer(parts: Record<string, Tensor[]>): {
  parts: Record<string, Tensor[]>;
  transfer: ArrayBuffer[];
} {
  const transfer = new Set<ArrayBuffer>();
  const out: Record<string, Tensor[]> = {};
  for (const [name, list] of Object.entries(parts)) out[name] = list.map((t) => transferable(t, transfer));
  return { parts: out, transfer: [...transfer] };
}

function transferable(tensor: Tensor, transfer: Set<ArrayBuffer>): Tensor {
  const data = tensor.data;
  const buffer = data.buffer;
  if (isShared(buffer) && isExclusive(buffer)) return tensor;
  const movable =
    buffer instanceof ArrayBuffer &&
    (transfer.has(buffer) || isExclusive(buffer) || (data.byteOffset === 0 && data.byteLength === buffer.byteLength));
  const owned = movable ? data : copyTensorData(data, new ArrayBuffer(data.byteLength));
  transfer.add(owned.buffer as ArrayBuffer);
  return { dtype: tensor.dtype, shape: [...tensor.shape], data: owned } as Tensor;
}

export function toWireError(error: unknown): WireError {
  if (isOxvError(error)) return { code: error.code, message: error.message, details: error.details };
  return { code: undefined, message: error instanceof Error ? error.message : String(error), details: undefined };
}

/** Rebuilds an OxvError on the main thread; unknown codes become `fallback`. */
export function fromWireError(wire: WireError, fallback: ErrorCode): OxvError {
  const code = wire.code !== undefined && wire.code in SERVER_KNOWN_ERROR_CODES ? (wire.code as ErrorCode) : fallback;
  return new OxvError(code, wire.message, wire.details === undefined ? {} : { details: wire.details });
}
