import { describe, expect, it } from 'vitest';
import { createRng, randomTensor } from '@oxidizedvision/runtime';

const draws = (seed: number, n: number) => {
  const rng = createRng(seed);
  return Array.from({ length: n }, () => rng.next());
};

describe('createRng', () => {
  it('repeats the same sequence for the same seed and differs across seeds', () => {
    expect(draws(42, 100)).toEqual(draws(42, 100));
    expect(draws(42, 10)).not.toEqual(draws(43, 10));
  });

  it('produces a fixed, platform-independent sequence (mulberry32)', () => {
    // Pinned so a change in the generator, which would silently change every seeded test input, fails here.
    expect(draws(1, 3)).toEqual([0.6270739405881613, 0.002735721180215478, 0.5274470399599522]);
  });

  it('draws uniforms in [0, 1) with a mean near 0.5', () => {
    const values = draws(7, 20000);
    expect(Math.min(...values)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...values)).toBeLessThan(1);
    const mean = values.reduce((a, b) => a + b, 0) / values.length;
    expect(Math.abs(mean - 0.5)).toBeLessThan(0.01); // σ/√n ≈ 0.002
  });

  it('draws standard normals with mean ≈ 0 and variance ≈ 1', () => {
    const rng = createRng(3);
    const values = Array.from({ length: 20000 }, () => rng.normal());
    const mean = values.reduce((a, b) => a + b, 0) / values.length;
    const variance = values.reduce((a, b) => a + (b - mean) ** 2, 0) / values.length;
    expect(Math.abs(mean)).toBeLessThan(0.03); // σ/√n ≈ 0.007
    expect(Math.abs(variance - 1)).toBeLessThan(0.05);
    expect(values.every(Number.isFinite)).toBe(true);
  });

  it('rejects a non-integer seed', () => {
    expect(() => createRng(1.5)).toThrow(new RangeError('seed must be an integer, got 1.5'));
  });
});

describe('randomTensor', () => {
  it('is reproducible for a seed', () => {
    const a = randomTensor('float32', [2, 3], createRng(5));
    const b = randomTensor('float32', [2, 3], createRng(5));
    expect(a.data).toEqual(b.data);
    expect(a.shape).toEqual([2, 3]);
  });

  it('draws each dtype from its documented range', () => {
    const rng = createRng(11);
    const ints = ['int8', 'int32'] as const;
    for (const dtype of ints) {
      const values = Array.from(randomTensor(dtype, [1000], rng).data);
      expect(new Set(values)).toEqual(new Set([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]));
    }
    const int64 = Array.from(randomTensor('int64', [1000], rng).data);
    expect(int64.every((v) => v >= 0n && v < 10n)).toBe(true);
    const uint8 = Array.from(randomTensor('uint8', [5000], rng).data);
    expect(Math.min(...uint8)).toBe(0);
    expect(Math.max(...uint8)).toBe(255);
    expect(new Set(randomTensor('bool', [100], rng).data)).toEqual(new Set([0, 1]));
    const half = randomTensor('float16', [100], rng);
    expect(half.data).toBeInstanceOf(Uint16Array);
  });
});
