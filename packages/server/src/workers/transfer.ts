import { OxvError, isOxvError, ERROR_CODES, type ErrorCode, type Tensor } from '@oxidizedvision/runtime';
import type { WireError } from './protocol.js';

/**
 * Prepares tensors for postMessage with transfer instead of copy. A tensor whose data covers its whole
 * ArrayBuffer is transferred as is (the sender's view is detached afterwards). Any other view is copied
 * once into an exact buffer first: structured clone would otherwise copy the whole backing buffer, which
 * for a Buffer slice of an HTTP body can be far larger than the tensor.
 */
export function forTransfer(tensors: Record<string, Tensor>): {
  tensors: Record<string, Tensor>;
  transfer: ArrayBuffer[];
} {
  const out: Record<string, Tensor> = {};
  const transfer = new Set<ArrayBuffer>();
  for (const [name, tensor] of Object.entries(tensors)) {
    const data = tensor.data;
    const buffer = data.buffer;
    const whole =
      buffer instanceof ArrayBuffer &&
      data.byteOffset === 0 &&
      data.byteLength === buffer.byteLength &&
      !transfer.has(buffer);
    const owned = whole ? data : copyOf(data);
    transfer.add(owned.buffer as ArrayBuffer);
    out[name] = { dtype: tensor.dtype, shape: [...tensor.shape], data: owned } as Tensor;
  }
  return { tensors: out, transfer: [...transfer] };
}

function copyOf(data: Tensor['data']): Tensor['data'] {
  // The typed array's own constructor, except Buffer (whose slice() is a view): plain Uint8Array then.
  const Ctor = (data instanceof Uint8Array ? Uint8Array : data.constructor) as new (n: number) => Tensor['data'];
  const copy = new Ctor(data.length);
  (copy as unknown as { set(d: unknown): void }).set(data);
  return copy;
}

export function toWireError(error: unknown): WireError {
  if (isOxvError(error)) return { code: error.code, message: error.message, details: error.details };
  return { code: undefined, message: error instanceof Error ? error.message : String(error), details: undefined };
}

/** Rebuilds an OxvError on the main thread; unknown codes become `fallback`. */
export function fromWireError(wire: WireError, fallback: ErrorCode): OxvError {
  const code = wire.code !== undefined && wire.code in ERROR_CODES ? (wire.code as ErrorCode) : fallback;
  return new OxvError(code, wire.message, wire.details === undefined ? {} : { details: wire.details });
}
