/**
 * IEEE-754 binary16 ⇄ binary32 conversion on raw bits. Node 20 has neither Float16Array nor Math.f16round,
 * so float16 tensors travel as Uint16Array bits and these do the arithmetic.
 */

// One shared scratch word: reinterpreting through a typed-array pair is the fastest portable bit cast.
const scratchF32 = new Float32Array(1);
const scratchU32 = new Uint32Array(scratchF32.buffer);

/**
 * Rounds `value` to the nearest float16 (ties to even) and returns its 16 bits. The value is first rounded
 * to float32, exactly as storing it in a Float32Array would. Overflow gives ±Infinity, values below half
 * the smallest subnormal give ±0, NaN stays NaN (quiet, payload kept where it fits).
 */
export function float32ToFloat16Bits(value: number): number {
  scratchF32[0] = value;
  const x = scratchU32[0]!;
  const sign = (x >>> 16) & 0x8000;
  const exponent = (x >>> 23) & 0xff;
  const mantissa = x & 0x7fffff;

  if (exponent === 0xff) return sign | 0x7c00 | (mantissa === 0 ? 0 : 0x200 | (mantissa >>> 13));

  const halfExponent = exponent - 127 + 15;
  if (halfExponent >= 0x1f) return sign | 0x7c00;

  if (halfExponent <= 0) {
    // Below 2^-25 even rounding up cannot reach the smallest subnormal (2^-24).
    if (halfExponent < -10) return sign;
    const full = mantissa | 0x800000;
    const shift = 14 - halfExponent;
    return sign | roundShift(full, shift);
  }

  // A carry out of the mantissa correctly bumps the exponent, up to Infinity (0x7c00).
  return sign | (((halfExponent << 10) | (mantissa >>> 13)) + roundingCarry(mantissa, 13, mantissa >>> 13));
}

/** Decodes float16 bits into the number they represent (always exactly representable as float32). */
export function float16BitsToFloat32(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exponent = (bits >>> 10) & 0x1f;
  const mantissa = bits & 0x3ff;
  if (exponent === 0) return sign * mantissa * 2 ** -24;
  if (exponent === 0x1f) return mantissa === 0 ? sign * Infinity : NaN;
  return sign * 2 ** (exponent - 15) * (1 + mantissa / 1024);
}

/** Converts a whole array of numbers to float16 bits. */
export function float32ArrayToFloat16Bits(values: ArrayLike<number>): Uint16Array {
  const out = new Uint16Array(values.length);
  for (let i = 0; i < values.length; i++) out[i] = float32ToFloat16Bits(values[i]!);
  return out;
}

/** Decodes a whole Uint16Array of float16 bits. */
export function float16BitsToFloat32Array(bits: ArrayLike<number>): Float32Array {
  const out = new Float32Array(bits.length);
  for (let i = 0; i < bits.length; i++) out[i] = float16BitsToFloat32(bits[i]!);
  return out;
}

function roundShift(value: number, shift: number): number {
  const kept = value >>> shift;
  return kept + roundingCarry(value, shift, kept);
}

/** 1 when the `shift` low bits of `value` round the kept part up under round-half-to-even, else 0. */
function roundingCarry(value: number, shift: number, kept: number): number {
  const remainder = value & ((1 << shift) - 1);
  const half = 1 << (shift - 1);
  return remainder > half || (remainder === half && (kept & 1) === 1) ? 1 : 0;
}
