import { DOT, LOWER_E, MAX_EXACT_POW, MINUS, NINE, PLUS, POW10, ZERO } from './ascii.js';

/**
 * Reads one JSON number from bytes without making a string of it. The mantissa's first 19 significant
 * digits (11 for a float32 target) and the exponent are gathered as integers; from them:
 *
 * - up to 15 digits with |exponent| ≤ 22: `m × 10^e` is one correctly rounded operation on exact doubles
 *   (Clinger's fast path), the very double JSON.parse returns;
 * - for a float32 target (the tensor's datatype is known to be FP32), longer mantissas give a double
 *   within a few ulps of the true value, whose float32 rounding is the true one unless it lies next to a
 *   float32 midpoint: that rare case, and anything else, reads the text with Number(), which is exact.
 */

const MAX_EXACT_DIGITS = 15;
const MAX_GATHERED_DIGITS = 19;
// A float32 is settled by its first 11 digits (a relative error below 1e-10, against a float32 half-ulp of
// 3e-8 or more) unless it lies that close to a midpoint, which the check below catches (~0.3% of values).
const MAX_FLOAT32_DIGITS = 11;

/** Where a number ended, or -1 when the bytes at `start` are not a JSON number (grammar per RFC 8259). */
export interface NumberScan {
  value: number;
  end: number;
  /** More than 15 significant digits in an integer literal: int64 values must be re-read exactly. */
  longInteger: boolean;
}

const bits = new Float32Array(1);
const bitsAsInt = new Int32Array(bits.buffer);

export function scanNumber(bytes: Uint8Array, start: number, float32: boolean, out: NumberScan): NumberScan {
  let pos = start;
  // `d >= 0 && d <= 9` with d = c - ZERO is false for undefined (past the end: NaN), so the loops need
  // no separate end check; each loop does one job (skip zeros, gather digits, skip the rest).
  let c = bytes[pos];
  const negative = c === MINUS;
  if (negative) c = bytes[++pos];
  let d = c! - ZERO;
  if (!(d >= 0 && d <= 9)) return fail(out);
  const cap = float32 ? MAX_FLOAT32_DIGITS : MAX_GATHERED_DIGITS;
  let truncated = false;
  let mantissa = 0;
  let digits = 0; // significant digits gathered
  let exponent = 0;
  let integer = true;
  if (d === 0) {
    c = bytes[++pos];
  } else {
    while (d >= 0 && d <= 9 && digits < cap) {
      mantissa = mantissa * 10 + d;
      digits++;
      d = bytes[++pos]! - ZERO;
    }
    while (d >= 0 && d <= 9) {
      truncated = true;
      exponent++;
      d = bytes[++pos]! - ZERO;
    }
    c = bytes[pos];
  }
  if (c === DOT) {
    integer = false;
    d = bytes[++pos]! - ZERO;
    if (!(d >= 0 && d <= 9)) return fail(out);
    if (mantissa === 0) {
      while (d === 0) {
        exponent--;
        d = bytes[++pos]! - ZERO;
      }
    }
    while (d >= 0 && d <= 9 && digits < cap) {
      mantissa = mantissa * 10 + d;
      digits++;
      exponent--;
      d = bytes[++pos]! - ZERO;
    }
    while (d >= 0 && d <= 9) {
      truncated = true;
      d = bytes[++pos]! - ZERO;
    }
    c = bytes[pos];
  }
  if (c === LOWER_E || c === 0x45) {
    integer = false;
    c = bytes[++pos];
    let sign = 1;
    if (c === MINUS || c === PLUS) {
      sign = c === MINUS ? -1 : 1;
      c = bytes[++pos];
    }
    if (c === undefined || c < ZERO || c > NINE) return fail(out);
    let e = 0;
    while (c !== undefined && c >= ZERO && c <= NINE) {
      if (e < 100_000) e = e * 10 + (c - ZERO);
      c = bytes[++pos];
    }
    exponent += sign * e;
  }
  out.end = pos;
  out.longInteger = integer && (truncated || digits > MAX_EXACT_DIGITS);
  out.value = convert(bytes, start, pos, negative, mantissa, truncated ? Infinity : digits, exponent, float32);
  return out;
}

function convert(
  bytes: Uint8Array,
  start: number,
  end: number,
  negative: boolean,
  mantissa: number,
  digits: number, // Infinity when digits were dropped
  exponent: number,
  float32: boolean,
): number {
  if (mantissa === 0) return negative ? -0 : 0;
  if (exponent >= -MAX_EXACT_POW && exponent <= MAX_EXACT_POW) {
    const approx = exponent >= 0 ? mantissa * POW10[exponent]! : mantissa / POW10[-exponent]!;
    if (digits <= MAX_EXACT_DIGITS) return negative ? -approx : approx;
    if (float32 && !nearFloat32Midpoint(approx, digits === Infinity ? 2 ** -32 : 2 ** -48)) {
      return negative ? -approx : approx;
    }
  }
  return Number(latin1(bytes, start, end));
}

/**
 * Whether `x` (within `tolerance` × |x| of the true decimal: a few double ulps, or the digits dropped) is
 * so close to a midpoint between two float32s that the true value might round the other way.
 */
function nearFloat32Midpoint(x: number, tolerance: number): boolean {
  const f = Math.fround(x);
  if (!Number.isFinite(f) || f === 0) return true;
  if (f === x) return false;
  bits[0] = f;
  bitsAsInt[0]! += x > f ? 1 : -1;
  const midpoint = (f + bits[0]!) / 2;
  return Math.abs(x - midpoint) <= Math.abs(x) * tolerance;
}

function fail(out: NumberScan): NumberScan {
  out.end = -1;
  out.value = Number.NaN;
  out.longInteger = false;
  return out;
}

export function latin1(bytes: Uint8Array, start: number, end: number): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset + start, end - start).toString('latin1');
}
