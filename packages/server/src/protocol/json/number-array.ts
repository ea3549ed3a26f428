import { allocateRequestStorage, SHARED_MIN_BYTES } from '../../buffers.js';

/**
 * A JSON tensor's `data`, flat or nested, gathered straight into a typed array while the body is parsed:
 * no JavaScript array of boxed numbers, no flattening copy. Which kinds of element it held is kept so
 * that the datatype check can name the first element that does not fit.
 */
export class NumberArray {
  /** Elements in row-major order (booleans as 1 / 0); float32 storage when the datatype was FP32. */
  readonly values: Float32Array | Float64Array;
  /** Index of the first boolean element, or -1. */
  readonly firstBoolean: number;
  /** Index of the first number element, or -1. */
  readonly firstNumber: number;
  /** Integer literals of more than 15 digits, by index, as written (int64 needs them exactly). */
  readonly longIntegers: ReadonlyMap<number, string> | null;

  constructor(
    values: Float32Array | Float64Array,
    firstBoolean: number,
    firstNumber: number,
    longIntegers: ReadonlyMap<number, string> | null,
  ) {
    this.values = values;
    this.firstBoolean = firstBoolean;
    this.firstNumber = firstNumber;
    this.longIntegers = longIntegers;
  }

  get length(): number {
    return this.values.length;
  }
}

/**
 * Typed-array storage for `length` elements: request-owned shared memory when large (buffers.ts), so a
 * parsed tensor reaches the inference worker without a copy and without counting against V8's external
 * memory, whose every crossing starts a full collection.
 */
function storage(float32: boolean, length: number): Float32Array | Float64Array {
  const bytes = length * (float32 ? 4 : 8);
  if (bytes < SHARED_MIN_BYTES) return float32 ? new Float32Array(length) : new Float64Array(length);
  const buffer = allocateRequestStorage(bytes);
  return float32 ? new Float32Array(buffer, 0, length) : new Float64Array(buffer, 0, length);
}

/** A growable typed array for the parser; `finish()` returns a view of what was written, no copy. */
export class NumberSink {
  private values: Float32Array | Float64Array;
  private count = 0;
  private firstBoolean = -1;
  private firstNumber = -1;
  private longIntegers: Map<number, string> | null = null;

  constructor(float32: boolean, capacity = 0) {
    const size = Math.max(capacity, 16);
    this.values = storage(float32, size);
  }

  get length(): number {
    return this.count;
  }

  pushNumber(value: number): void {
    if (this.firstNumber < 0) this.firstNumber = this.count;
    this.push(value);
  }

  pushBoolean(value: boolean): void {
    if (this.firstBoolean < 0) this.firstBoolean = this.count;
    this.push(value ? 1 : 0);
  }

  pushLongInteger(value: number, text: string): void {
    (this.longIntegers ??= new Map()).set(this.count, text);
    this.pushNumber(value);
  }

  finish(): NumberArray {
    return new NumberArray(this.values.subarray(0, this.count), this.firstBoolean, this.firstNumber, this.longIntegers);
  }

  private push(value: number): void {
    if (this.count === this.values.length) {
      const grown = storage(this.values instanceof Float32Array, this.values.length * 2);
      grown.set(this.values);
      this.values = grown;
    }
    this.values[this.count++] = value;
  }
}
