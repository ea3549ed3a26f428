import { float16BitsToFloat32, float32ToFloat16Bits, type DType, type Tensor } from '@oxidizedvision/runtime';
import { shortestDigits, writeDigits, writeUint, type ReadsBack } from './float-text.js';
import { writeFloat32s } from './float32-text.js';
import { COMMA, MINUS, ZERO } from './ascii.js';

/**
 * Marks where a tensor's elements go in a JSON document written by encodeJson(): `{"data": jsonData(t)}`.
 * The elements are printed straight from the typed array into bytes, each float in the shortest text that
 * reads back to the same value of its own type (float32 `0.1`, not `0.10000000149011612`), so responses
 * are about 40% smaller than JSON.stringify's and need no array of boxed numbers in between.
 */
export class JsonTensorData {
  constructor(readonly tensor: Tensor) {}
}

export function jsonData(tensor: Tensor): JsonTensorData {
  return new JsonTensorData(tensor);
}

/**
 * JSON.stringify(value) as UTF-8 bytes, with every JsonTensorData inside written as a flat array of its
 * elements. Non-finite floats become `null`, as JSON.stringify writes them (JSON has no NaN).
 */
export function encodeJson(value: unknown): Buffer {
  const tensors: Tensor[] = [];
  const text = JSON.stringify(value, (_key, v: unknown) => {
    if (!(v instanceof JsonTensorData)) return v;
    tensors.push(v.tensor);
    return MARK;
  });
  if (tensors.length === 0) return Buffer.from(text, 'utf8');
  // One buffer for the whole document, sized for the worst case and cut to length: no concatenation copy.
  const pieces = text.split(QUOTED_MARK);
  let size = 0;
  for (const piece of pieces) size += Buffer.byteLength(piece, 'utf8');
  for (const tensor of tensors) size += dataBytesBound(tensor);
  const out = Buffer.allocUnsafe(size);
  let pos = out.write(pieces[0]!, 0, 'utf8');
  tensors.forEach((tensor, i) => {
    pos = writeTensorDataInto(out, pos, tensor);
    pos += out.write(pieces[i + 1]!, pos, 'utf8');
  });
  return out.subarray(0, pos);
}

// A string no JSON value of ours contains: JSON.stringify escapes a raw U+0000 as \u0000, so the quoted
// marker can only come from the replacer.
const MARK = '\u0000oxv-tensor-data\u0000';
const QUOTED_MARK = JSON.stringify(MARK);

/** Longest text of one element (sign, digits, point, exponent), comma included. */
const MAX_ELEMENT_BYTES: Readonly<Record<DType, number>> = {
  float32: 16,
  float16: 12,
  float64: 25,
  int64: 21,
  int32: 12,
  int8: 5,
  uint8: 4,
  bool: 6,
};

const dataBytesBound = (tensor: Tensor): number => 2 + tensor.data.length * MAX_ELEMENT_BYTES[tensor.dtype];

/** `[e0,e1,…]` for a tensor's elements in row-major order. */
export function writeTensorData(tensor: Tensor): Buffer {
  const out = Buffer.allocUnsafe(dataBytesBound(tensor));
  return out.subarray(0, writeTensorDataInto(out, 0, tensor));
}

function writeTensorDataInto(out: Buffer, pos: number, tensor: Tensor): number {
  const { dtype, data } = tensor;
  out[pos++] = 0x5b;
  switch (dtype) {
    case 'float32':
      pos = writeFloat32s(out, pos, data as Float32Array);
      break;
    case 'float16':
      pos = writeFloats(out, pos, data as Uint16Array, readsBackAsFloat16, 5, float16BitsToFloat32);
      break;
    case 'float64':
      pos = writeTexts(out, pos, data as Float64Array, (v) => (Number.isFinite(v) ? String(v) : 'null'));
      break;
    case 'int64':
      pos = writeTexts(out, pos, data as BigInt64Array, String);
      break;
    case 'bool':
      pos = writeTexts(out, pos, data as Uint8Array, (v) => (v ? 'true' : 'false'));
      break;
    default:
      pos = writeIntegers(out, pos, data as Int32Array | Int8Array | Uint8Array);
  }
  out[pos++] = 0x5d;
  return pos;
}

const readsBackAsFloat16: ReadsBack = (v, target) => float16BitsToFloat32(float32ToFloat16Bits(v)) === target;

function writeFloats(
  out: Buffer,
  pos: number,
  data: ArrayLike<number>,
  readsBack: ReadsBack,
  maxDigits: number,
  decode: (stored: number) => number,
): number {
  for (let i = 0; i < data.length; i++) {
    if (i > 0) out[pos++] = COMMA;
    const v = decode(data[i]!);
    if (v === 0) {
      // -0 is its own float32; "-0" reads back as it, "0" would not.
      if (1 / v < 0) out[pos++] = MINUS;
      out[pos++] = ZERO;
    } else if (Number.isFinite(v)) {
      const negative = v < 0;
      const { n, k } = shortestDigits(negative ? -v : v, readsBack, maxDigits);
      pos = writeDigits(out, pos, negative, n, k);
    } else {
      pos += out.write('null', pos, 'latin1');
    }
  }
  return pos;
}

function writeIntegers(out: Buffer, pos: number, data: Int32Array | Int8Array | Uint8Array): number {
  for (let i = 0; i < data.length; i++) {
    if (i > 0) out[pos++] = COMMA;
    const v = data[i]!;
    if (v < 0) {
      out[pos++] = MINUS;
      pos = writeUint(out, pos, -v);
    } else pos = writeUint(out, pos, v);
  }
  return pos;
}

function writeTexts<T>(out: Buffer, pos: number, data: ArrayLike<T>, text: (v: T) => string): number {
  for (let i = 0; i < data.length; i++) {
    if (i > 0) out[pos++] = COMMA;
    pos += out.write(text(data[i]!), pos, 'latin1');
  }
  return pos;
}
