import { describe, expect, it } from 'vitest';
import { compareTensors, createTensor } from '@oxidizedvision/runtime';
import { expectOxvErrorSync } from './helpers.js';

const f64 = (values: number[], shape = [values.length]) => createTensor('float64', shape, values);

describe('compareTensors', () => {
  it('computes hand-checked MAE, RMSE, max error and cosine', () => {
    // diffs: 0, 1, -2, 1 → |d| sum 4, d² sum 6
    const result = compareTensors(f64([1, 2, 3, 4], [2, 2]), f64([1, 3, 1, 5], [2, 2]));
    expect(result.count).toBe(4);
    expect(result.shape_match).toBe(true);
    expect(result.mae).toBe(1);
    expect(result.rmse).toBeCloseTo(Math.sqrt(1.5), 12);
    expect(result.max_abs_error).toBe(2);
    // dot 1+6+3+20 = 30; |a|² = 30; |b|² = 36
    expect(result.cosine_similarity).toBeCloseTo(30 / Math.sqrt(30 * 36), 12);
  });

  it('gives zero error and cosine 1 for identical tensors', () => {
    const a = f64([0.1, -7, 3e10]);
    expect(compareTensors(a, a)).toEqual({
      mae: 0,
      rmse: 0,
      max_abs_error: 0,
      cosine_similarity: 1,
      shape_match: true,
      count: 3,
    });
  });

  it('gives cosine -1 for opposite tensors', () => {
    expect(compareTensors(f64([1, 2]), f64([-1, -2])).cosine_similarity).toBeCloseTo(-1, 12);
  });

  it('treats two all-zero tensors as identical and a zero against a non-zero as orthogonal', () => {
    expect(compareTensors(f64([0, 0]), f64([0, 0])).cosine_similarity).toBe(1);
    expect(compareTensors(f64([0, 0]), f64([0, 1])).cosine_similarity).toBe(0);
    expect(compareTensors(f64([1, 0]), f64([0, 0])).cosine_similarity).toBe(0);
  });

  it('makes every metric NaN when either tensor holds a NaN', () => {
    for (const result of [compareTensors(f64([1, NaN]), f64([1, 2])), compareTensors(f64([1, 2]), f64([NaN, 2]))]) {
      expect(result.mae).toBeNaN();
      expect(result.rmse).toBeNaN();
      expect(result.max_abs_error).toBeNaN();
      expect(result.cosine_similarity).toBeNaN();
    }
  });

  it('compares across dtypes in float64 (fp16 model against fp32 reference)', () => {
    const reference = createTensor('float32', [3], [0.1, 1, -2]);
    const target = createTensor('float16', [3], [0.1, 1, -2]);
    const result = compareTensors(reference, target);
    // float16(0.1) = 0.0999755859375 and float32(0.1) = 0.100000001490116…; the others are exact.
    expect(result.max_abs_error).toBeCloseTo(Math.fround(0.1) - 0.0999755859375, 15);
    expect(result.mae).toBeCloseTo((Math.fround(0.1) - 0.0999755859375) / 3, 15);
    expect(result.cosine_similarity).toBeGreaterThan(0.99999);
  });

  it('keeps cosine finite for magnitudes whose squares overflow or underflow float64', () => {
    expect(compareTensors(f64([1e200, 2e200]), f64([2e200, 4e200])).cosine_similarity).toBeCloseTo(1, 12);
    expect(compareTensors(f64([1e-200, 0]), f64([0, 3e-200])).cosine_similarity).toBe(0);
    expect(compareTensors(f64([1e-200, 1e-200]), f64([-1e-200, -1e-200])).cosine_similarity).toBeCloseTo(-1, 12);
  });

  it('rejects different shapes, naming both', () => {
    expectOxvErrorSync(
      () => compareTensors(f64([1, 2, 3, 4], [2, 2]), f64([1, 2, 3, 4], [4])),
      'ERR_INPUT_SHAPE',
      /reference \[2,2\], target \[4\]/,
    );
  });

  it('compares empty tensors as identical', () => {
    expect(compareTensors(f64([], [0, 3]), f64([], [0, 3]))).toMatchObject({ count: 0, mae: 0, cosine_similarity: 1 });
  });
});
