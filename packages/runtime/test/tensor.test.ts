import { describe, expect, it } from 'vitest';
import { createTensor, DTYPES, tensorSize, toFloat64Array } from '@oxidizedvision/runtime';

describe('tensorSize', () => {
  it('multiplies the dims, with 1 for a scalar and 0 for an empty dim', () => {
    expect(tensorSize([2, 3, 4])).toBe(24);
    expect(tensorSize([])).toBe(1);
    expect(tensorSize([5, 0, 2])).toBe(0);
  });

  it('names the offending dim', () => {
    expect(() => tensorSize([2, -1])).toThrow(new RangeError('shape[1] must be a non-negative integer, got -1'));
    expect(() => tensorSize([1.5])).toThrow(RangeError);
  });
});

describe('createTensor', () => {
  it('zero-fills with the storage class of each dtype', () => {
    const classes = DTYPES.map((dtype) => createTensor(dtype, [2]).data.constructor.name);
    expect(classes).toEqual([
      'Float32Array',
      'Uint16Array',
      'Float64Array',
      'BigInt64Array',
      'Int32Array',
      'Int8Array',
      'Uint8Array',
      'Uint8Array',
    ]);
  });

  it('uses a matching typed array as-is and freezes a copy of the shape', () => {
    const data = new Float32Array(6);
    const shape = [2, 3];
    const tensor = createTensor('float32', shape, data);
    expect(tensor.data).toBe(data);
    shape[0] = 99;
    expect(tensor.shape).toEqual([2, 3]);
    expect(Object.isFrozen(tensor.shape)).toBe(true);
  });

  it('converts plain values: float16 rounded to bits, int64 from numbers or bigints, bool from booleans', () => {
    expect(Array.from(createTensor('float16', [2], [1, 0.1]).data)).toEqual([0x3c00, 0x2e66]);
    expect(Array.from(createTensor('int64', [2], [3, 2n ** 62n]).data)).toEqual([3n, 2n ** 62n]);
    expect(Array.from(createTensor('bool', [3], [true, false, 1]).data)).toEqual([1, 0, 1]);
  });

  it('rejects an unknown dtype with a TypeError naming dtype', () => {
    expect(() => createTensor('float8' as 'float32', [1])).toThrow(/^dtype must be one of float32, .*got "float8"$/);
    expect(() => createTensor('float8' as 'float32', [1])).toThrow(TypeError);
  });

  it('rejects a data length that does not match the shape', () => {
    expect(() => createTensor('float32', [2, 3], new Float32Array(5))).toThrow(
      new RangeError('data has 5 elements but shape [2,3] needs 6'),
    );
  });

  it('rejects a typed array of the wrong class for the dtype', () => {
    expect(() => createTensor('float32', [2], new Int32Array(2) as unknown as Float32Array)).toThrow(
      new TypeError('data must be a Float32Array for dtype float32, got Int32Array'),
    );
  });

  it('rejects plain values the dtype cannot hold instead of wrapping them', () => {
    expect(() => createTensor('uint8', [1], [300])).toThrow(new TypeError('data[0] is not a valid uint8 value: 300'));
    expect(() => createTensor('int32', [2], [1, 0.5])).toThrow(/data\[1\] is not a valid int32 value/);
    expect(() => createTensor('int64', [1], [1.5])).toThrow(TypeError);
    expect(() => createTensor('bool', [1], [2])).toThrow(TypeError);
  });

  it('rejects data that is not array-like', () => {
    expect(() => createTensor('float32', [1], 5 as unknown as number[])).toThrow(TypeError);
  });
});

describe('toFloat64Array', () => {
  it('widens every dtype to float64', () => {
    expect(Array.from(toFloat64Array(createTensor('float16', [2], [0.5, -2])))).toEqual([0.5, -2]);
    expect(Array.from(toFloat64Array(createTensor('int64', [2], [-3n, 2n ** 40n])))).toEqual([-3, 2 ** 40]);
    expect(Array.from(toFloat64Array(createTensor('bool', [2], [true, false])))).toEqual([1, 0]);
    expect(Array.from(toFloat64Array(createTensor('int8', [2], [-128, 127])))).toEqual([-128, 127]);
    const out = toFloat64Array(createTensor('float32', [1], [0.1]));
    expect(out).toBeInstanceOf(Float64Array);
    expect(out[0]).toBe(Math.fround(0.1));
  });
});
