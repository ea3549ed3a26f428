import { describe, expect, it } from 'vitest';
import {
  float16BitsToFloat32,
  float16BitsToFloat32Array,
  float32ArrayToFloat16Bits,
  float32ToFloat16Bits,
} from '@oxidizedvision/runtime';

describe('float16 conversion', () => {
  // Reference bits cross-checked against numpy's float32 → float16 cast.
  it.each([
    [0, 0x0000],
    [-0, 0x8000],
    [1, 0x3c00],
    [-2, 0xc000],
    [0.5, 0x3800],
    [65504, 0x7bff], // largest finite half
    [65519.99, 0x7bff], // just below the overflow midpoint
    [65520, 0x7c00], // the midpoint rounds to even, i.e. Infinity
    [1e6, 0x7c00],
    [-1e6, 0xfc00],
    [Infinity, 0x7c00],
    [-Infinity, 0xfc00],
    [2 ** -14, 0x0400], // smallest normal
    [2 ** -24, 0x0001], // smallest subnormal
    [2 ** -25, 0x0000], // half of it: tie rounds to even (zero)
    [3 * 2 ** -26, 0x0001], // above the tie rounds up
    [6e-5, 0x03ef],
    [0.1, 0x2e66],
    [1 / 3, 0x3555],
  ])('encodes %d as %#x', (value, bits) => {
    expect(float32ToFloat16Bits(value)).toBe(bits);
  });

  it('encodes NaN as a NaN', () => {
    const bits = float32ToFloat16Bits(NaN);
    expect(bits & 0x7c00).toBe(0x7c00);
    expect(bits & 0x03ff).not.toBe(0);
    expect(float16BitsToFloat32(bits)).toBeNaN();
  });

  it('decodes subnormals, infinities and NaN', () => {
    expect(float16BitsToFloat32(0x0001)).toBe(2 ** -24);
    expect(float16BitsToFloat32(0x03ff)).toBe(1023 * 2 ** -24);
    expect(float16BitsToFloat32(0x8000)).toBe(-0);
    expect(float16BitsToFloat32(0x7c00)).toBe(Infinity);
    expect(float16BitsToFloat32(0xfc00)).toBe(-Infinity);
    expect(float16BitsToFloat32(0x7e00)).toBeNaN();
  });

  it('round-trips all 63,488 non-NaN bit patterns exactly', () => {
    let checked = 0;
    for (let bits = 0; bits <= 0xffff; bits++) {
      if ((bits & 0x7c00) === 0x7c00 && (bits & 0x03ff) !== 0) continue; // NaN
      expect(float32ToFloat16Bits(float16BitsToFloat32(bits))).toBe(bits);
      checked++;
    }
    expect(checked).toBe(65536 - 2 * 1023);
  });

  it('rounds every midpoint between neighbouring halves to the even one, and nudged midpoints to the nearer', () => {
    // Positive finite halves 0x0000..0x7bfe and their upper neighbours; midpoints are exact in float32.
    for (let low = 0; low < 0x7bff; low++) {
      const a = float16BitsToFloat32(low);
      const b = float16BitsToFloat32(low + 1);
      const mid = (a + b) / 2;
      const even = low % 2 === 0 ? low : low + 1;
      if (float32ToFloat16Bits(mid) !== even) expect.fail(`midpoint of ${low} rounded wrongly`);
      const nudge = (b - a) / 1024; // a small step that is still exact in float32
      if (float32ToFloat16Bits(mid - nudge) !== low) expect.fail(`below-midpoint of ${low} rounded wrongly`);
      if (float32ToFloat16Bits(mid + nudge) !== low + 1) expect.fail(`above-midpoint of ${low} rounded wrongly`);
    }
  });

  it('converts whole arrays both ways', () => {
    const bits = float32ArrayToFloat16Bits([1, -0.5, 65504]);
    expect(bits).toBeInstanceOf(Uint16Array);
    expect(Array.from(bits)).toEqual([0x3c00, 0xb800, 0x7bff]);
    expect(Array.from(float16BitsToFloat32Array(bits))).toEqual([1, -0.5, 65504]);
  });
});
