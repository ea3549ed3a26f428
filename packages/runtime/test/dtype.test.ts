import { describe, expect, it } from 'vitest';
import { DTYPE_BYTES, DTYPES, createTensor } from '@oxidizedvision/runtime';

describe('DTYPE_BYTES', () => {
  it.each(DTYPES)('gives the element width of the %s storage array', (dtype) => {
    expect(DTYPE_BYTES[dtype]).toBe(createTensor(dtype, [1]).data.BYTES_PER_ELEMENT);
  });
});
