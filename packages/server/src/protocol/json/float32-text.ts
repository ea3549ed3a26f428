import { readsBackAsFloat32, shortestDigits, writeDigits } from './float-text.js';
import { COMMA, MAX_EXACT_POW, MINUS, POW10, ZERO } from './ascii.js';

/**
 * float-text.ts's shortest-digits search, specialised for float32 arrays, the bulk of every JSON
 * response: the decimal exponent comes from the float's own exponent bits and a table instead of
 * Math.log10, the read-back check is an inline Math.fround, and the search starts at 8 digits (where
 * most float32 values land) so that a typical value costs two candidates. Outside the window where
 * powers of ten are exact doubles (below ~1e-14, above ~1e22) it falls back to the general search.
 */

// TEN[i + TEN_BIAS] = 10^i as the nearest double (what the literal 1e-5 is); a float32 never lies between
// a power of ten and that double, so comparing against it decides the leading digit's exponent exactly.
const TEN_BIAS = 50;
const TEN: Float64Array = Float64Array.from({ length: 101 }, (_, i) => Number(`1e${i - TEN_BIAS}`));
// LEAD[e] = floor(log10(2^(e - 127))): the decimal exponent of the smallest float32 with biased exponent e.
const LEAD: Int16Array = Int16Array.from({ length: 256 }, (_, e) => Math.floor((e - 127) * Math.LOG10E * Math.LN2));

let candidateN = 0;

/** Whether the 1 + lead - k digit candidate for `a` (n × 10^k) reads back as `a`; sets candidateN. */
function fits(a: number, k: number): boolean {
  if (k >= 0) {
    const scale = POW10[k]!;
    candidateN = Math.round(a / scale);
    return Math.fround(candidateN * scale) === a;
  }
  const scale = POW10[-k]!;
  candidateN = Math.round(a * scale);
  return Math.fround(candidateN / scale) === a;
}

/** Writes `[`-less, comma-separated float32 values; returns the new position. */
export function writeFloat32s(out: Uint8Array, pos: number, data: Float32Array): number {
  const bits = new Int32Array(data.buffer, data.byteOffset, data.length);
  for (let i = 0; i < data.length; i++) {
    if (i > 0) out[pos++] = COMMA;
    const x = bits[i]!;
    const exponent = (x >>> 23) & 0xff;
    const v = data[i]!;
    if (exponent === 0xff) {
      // NaN, ±Infinity: JSON has no spelling for them; null, as JSON.stringify writes.
      out[pos++] = 0x6e;
      out[pos++] = 0x75;
      out[pos++] = 0x6c;
      out[pos++] = 0x6c;
      continue;
    }
    if (v === 0) {
      if (x < 0) out[pos++] = MINUS; // -0 is its own float32; "-0" reads back as it
      out[pos++] = ZERO;
      continue;
    }
    const negative = x < 0;
    const a = negative ? -v : v;
    let lead: number;
    if (exponent === 0) lead = Math.floor(Math.log10(a));
    else {
      lead = LEAD[exponent]!;
      if (a >= TEN[lead + 1 + TEN_BIAS]!) lead++;
    }
    const k8 = lead - 7; // the exponent of an 8-digit candidate
    if (k8 - 1 < -MAX_EXACT_POW || lead > MAX_EXACT_POW) {
      const { n, k } = shortestDigits(a, readsBackAsFloat32, 9);
      pos = writeDigits(out, pos, negative, n, k);
      continue;
    }
    let n: number;
    let k: number;
    if (fits(a, k8)) {
      n = candidateN;
      k = k8;
      while (k < lead && fits(a, k + 1)) {
        n = candidateN;
        k++;
      }
    } else if (fits(a, k8 - 1)) {
      n = candidateN;
      k = k8 - 1;
    } else {
      ({ n, k } = shortestDigits(a, readsBackAsFloat32, 9));
    }
    while (n % 10 === 0) {
      n /= 10;
      k++;
    }
    pos = writeDigits(out, pos, negative, n, k);
  }
  return pos;
}
