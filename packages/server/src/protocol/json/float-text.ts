import { DOT, LOWER_E, MAX_EXACT_POW, MINUS, PLUS, POW10, ZERO } from './ascii.js';

/**
 * The shortest decimal text that reads back to the same float32 (or float16): `0.1`, not the
 * float64 expansion `0.10000000149011612` that `JSON.stringify` writes for the same value. "Reads back" is
 * what every JSON client does: decimal → float64 (JSON.parse, Python's float) → the narrow type.
 *
 * A candidate with p significant digits is N × 10^k for an integer N. While N < 2^53 and |k| ≤ 22 the
 * powers of ten are exact doubles, so `N * 10^k` (or `N / 10^-k`) is one correctly rounded operation:
 * exactly the double JSON.parse would produce from that text. Each candidate is therefore checked, not
 * trusted, and the first p that reads back wins. Values outside that window (below ~1e-14 or above
 * ~1e23, rare in model outputs) take the slow but exact path through toPrecision().
 */

/** Whether the double `v` rounds to the narrow value `target` (itself exact as a double). */
export type ReadsBack = (v: number, target: number) => boolean;

export const readsBackAsFloat32: ReadsBack = (v, target) => Math.fround(v) === target;

/** Shortest digits of a positive finite `a`: the integer `n` (no trailing zeros) and exponent `k`, a = n × 10^k. */
export interface Digits {
  n: number;
  k: number;
}

// The candidate of the last successful tryDigits(); module state rather than a returned object, because
// this runs once per tensor element.
let foundN = 0;
let foundK = 0;
let outsideWindow = false;

function tryDigits(a: number, lead: number, p: number, readsBack: ReadsBack): boolean {
  const k = lead - p + 1;
  let n: number;
  let v: number;
  if (k >= 0) {
    if (k > MAX_EXACT_POW) return !(outsideWindow = true);
    n = Math.round(a / POW10[k]!);
    v = n * POW10[k]!;
  } else {
    if (-k > MAX_EXACT_POW) return !(outsideWindow = true);
    n = Math.round(a * POW10[-k]!);
    v = n / POW10[-k]!;
  }
  if (!readsBack(v, a)) return false;
  foundN = n;
  foundK = k;
  return true;
}

/**
 * Most float32 values need 7 to 9 digits, so the search starts at 7 and walks down while shorter texts
 * still read back, or up to the maximum: two or three candidates per value instead of nine.
 */
export function shortestDigits(a: number, readsBack: ReadsBack, maxDigits: number): Digits {
  const lead = Math.floor(Math.log10(a));
  outsideWindow = false;
  const first = Math.min(7, maxDigits);
  let found = false;
  if (tryDigits(a, lead, first, readsBack)) {
    found = true;
    for (let p = first - 1; p >= 1 && tryDigits(a, lead, p, readsBack); p--);
  } else {
    for (let p = first + 1; p <= maxDigits && !outsideWindow; p++) {
      if (tryDigits(a, lead, p, readsBack)) {
        found = true;
        break;
      }
    }
  }
  if (!found || outsideWindow) return slowDigits(a, readsBack, maxDigits);
  return trimZeros(foundN, foundK);
}

function slowDigits(a: number, readsBack: ReadsBack, maxDigits: number): Digits {
  for (let p = 1; p < 17; p++) {
    const text = a.toPrecision(p);
    if (p >= maxDigits || readsBack(Number(text), a)) return parseDigits(text);
  }
  return parseDigits(a.toPrecision(17));
}

/** `1.234e-20` / `0.00123` / `123.4` → digits and exponent. */
function parseDigits(text: string): Digits {
  const [mantissa, exp = '0'] = text.split('e');
  const [whole, fraction = ''] = mantissa!.split('.');
  return trimZeros(Number(whole! + fraction), Number(exp) - fraction.length);
}

function trimZeros(n: number, k: number): Digits {
  while (n !== 0 && n % 10 === 0) {
    n /= 10;
    k++;
  }
  return { n, k };
}

/** Number of decimal digits of a non-negative safe integer (1 for 0): a few comparisons below 1e10. */
export function digitCount(n: number): number {
  if (n < 1e5) return n < 100 ? (n < 10 ? 1 : 2) : n < 1e3 ? 3 : n < 1e4 ? 4 : 5;
  if (n < 1e10) return n < 1e7 ? (n < 1e6 ? 6 : 7) : n < 1e8 ? 8 : n < 1e9 ? 9 : 10;
  let count = 10;
  while (count < POW10.length && n >= POW10[count]!) count++;
  return count < POW10.length ? count : String(n).length;
}

// "00" … "99" as byte pairs: two digits per division when printing.
const PAIRS: Uint8Array = Uint8Array.from(
  { length: 200 },
  (_, i) => ZERO + (i & 1 ? (i >> 1) % 10 : Math.floor((i >> 1) / 10)),
);

/** Writes the decimal digits of a non-negative safe integer; returns the new position. */
export function writeUint(out: Uint8Array, pos: number, n: number): number {
  const end = pos + digitCount(n);
  let i = end;
  // Below 2^31 the division can stay in int32 arithmetic, several times faster than Math.floor on doubles.
  while (n >= 0x80000000) {
    const q = Math.floor(n / 10);
    out[--i] = ZERO + (n - q * 10);
    n = q;
  }
  while (n >= 100) {
    const q = (n / 100) | 0;
    const r = (n - q * 100) << 1;
    out[--i] = PAIRS[r + 1]!;
    out[--i] = PAIRS[r]!;
    n = q;
  }
  if (n >= 10) {
    out[--i] = PAIRS[(n << 1) + 1]!;
    out[--i] = PAIRS[n << 1]!;
  } else out[--i] = ZERO + n;
  return end;
}

/**
 * Writes `sign × n × 10^k` in JavaScript's own number notation (what `String(x)` would choose for the
 * same digits: plain from 1e-7 up to 1e21, exponent form outside), so the text looks like JSON.stringify's.
 */
export function writeDigits(out: Uint8Array, pos: number, negative: boolean, n: number, k: number): number {
  // Byte loops rather than fill()/copyWithin(): those are native calls, dearer than the few bytes they move.
  if (negative) out[pos++] = MINUS;
  const count = digitCount(n);
  const point = count + k; // digits before the decimal point
  if (k >= 0 && point <= 21) {
    pos = writeUint(out, pos, n);
    for (let i = 0; i < k; i++) out[pos++] = ZERO;
    return pos;
  }
  if (point > 0 && point <= 21) {
    const end = writeUint(out, pos + 1, n);
    for (let i = 0; i < point; i++) out[pos + i] = out[pos + i + 1]!;
    out[pos + point] = DOT;
    return end;
  }
  if (point <= 0 && point > -6) {
    out[pos++] = ZERO;
    out[pos++] = DOT;
    for (let i = point; i < 0; i++) out[pos++] = ZERO;
    return writeUint(out, pos, n);
  }
  const end = writeUint(out, pos + 1, n);
  out[pos] = out[pos + 1]!;
  let at = end;
  if (count > 1) out[pos + 1] = DOT;
  else at = pos + 1;
  out[at++] = LOWER_E;
  const exponent = point - 1;
  out[at++] = exponent < 0 ? MINUS : PLUS;
  return writeUint(out, at, Math.abs(exponent));
}

/** Longest text one float32 can need here: sign, 9 digits, point, `e-45`, with room to spare. */
export const MAX_FLOAT_TEXT = 24;
