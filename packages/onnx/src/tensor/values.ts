import { create } from '@bufbuild/protobuf';
import { float16BitsToFloat32Array } from '@oxidizedvision/runtime';
import { TensorProto_DataLocation, TensorProtoSchema, type TensorProto } from '../proto/onnx_pb.js';
import { DataType, byteLengthOf, dataTypeName } from './data-type.js';

/** The typed array each numeric ONNX type decodes to; float16 and bfloat16 stay raw 16-bit words. */
export type TensorArray =
  | Float32Array
  | Float64Array
  | Int8Array
  | Uint8Array
  | Int16Array
  | Uint16Array
  | Int32Array
  | Uint32Array
  | BigInt64Array
  | BigUint64Array;

type ArrayCtor = {
  new (buffer: ArrayBuffer, offset?: number, length?: number): TensorArray;
  BYTES_PER_ELEMENT: number;
};

const CTORS: Partial<Record<DataType, ArrayCtor>> = {
  [DataType.FLOAT]: Float32Array,
  [DataType.DOUBLE]: Float64Array,
  [DataType.FLOAT16]: Uint16Array,
  [DataType.BFLOAT16]: Uint16Array,
  [DataType.INT8]: Int8Array,
  [DataType.UINT8]: Uint8Array,
  [DataType.BOOL]: Uint8Array,
  [DataType.INT16]: Int16Array,
  [DataType.UINT16]: Uint16Array,
  [DataType.INT32]: Int32Array,
  [DataType.UINT32]: Uint32Array,
  [DataType.INT64]: BigInt64Array,
  [DataType.UINT64]: BigUint64Array,
};

/** Number of elements the tensor's dims describe (1 for a scalar). */
export function elementCount(tensor: Pick<TensorProto, 'dims'>): number {
  let count = 1;
  for (const dim of tensor.dims) count *= Number(dim);
  return count;
}

export function isExternal(tensor: TensorProto): boolean {
  return tensor.dataLocation === TensorProto_DataLocation.EXTERNAL;
}

/**
 * Decodes a tensor's values from raw_data or the typed field the spec assigns to its type. Always returns
 * a fresh array (raw_data is usually an unaligned view into the whole model buffer, which a typed array
 * cannot alias, and callers may mutate the result). Assumes a little-endian host, as ONNX raw_data is.
 * Throws for external data that has not been loaded (see readModel in "./node") and for string or
 * sub-byte types.
 */
export function tensorValues(tensor: TensorProto): TensorArray {
  const Ctor = CTORS[tensor.dataType as DataType];
  if (!Ctor) throw new TypeError(`tensor "${tensor.name}": ${dataTypeName(tensor.dataType)} values are not supported`);
  if (isExternal(tensor)) {
    throw new Error(`tensor "${tensor.name}" lives in an external data file that was not loaded`);
  }
  const count = elementCount(tensor);
  if (tensor.rawData.byteLength > 0) {
    const expected = count * Ctor.BYTES_PER_ELEMENT;
    if (tensor.rawData.byteLength !== expected) {
      throw new RangeError(
        `tensor "${tensor.name}": raw_data has ${tensor.rawData.byteLength} bytes, dims need ${expected}`,
      );
    }
    // new Uint8Array(view) copies; view.slice() would not for a Node Buffer (its slice is a subarray).
    return new Ctor(new Uint8Array(tensor.rawData).buffer, 0, count);
  }
  return fromTypedField(tensor, Ctor, count);
}

function fromTypedField(tensor: TensorProto, Ctor: ArrayCtor, count: number): TensorArray {
  const out = new Ctor(new ArrayBuffer(count * Ctor.BYTES_PER_ELEMENT));
  const source = typedField(tensor);
  if (source.length !== count && count !== 0) {
    throw new RangeError(`tensor "${tensor.name}": ${source.length} values stored, dims need ${count}`);
  }
  if (out instanceof BigInt64Array || out instanceof BigUint64Array) {
    for (let i = 0; i < count; i++) out[i] = BigInt(source[i] as number | bigint);
  } else {
    for (let i = 0; i < count; i++) out[i] = Number(source[i]);
  }
  return out;
}

/** Which repeated field holds the values of a tensor without raw_data (onnx.proto's table). */
function typedField(tensor: TensorProto): ArrayLike<number | bigint> {
  switch (tensor.dataType) {
    case DataType.FLOAT:
      return tensor.floatData;
    case DataType.DOUBLE:
      return tensor.doubleData;
    case DataType.INT64:
      return tensor.int64Data;
    case DataType.UINT32:
    case DataType.UINT64:
      return tensor.uint64Data;
    default:
      // int8/16/32, uint8/16, bool, and float16/bfloat16 as their bit patterns.
      return tensor.int32Data;
  }
}

/** Values as float32, whatever the numeric type (float16 decoded, int64 narrowed). For analysis passes. */
export function tensorToFloat32(tensor: TensorProto): Float32Array {
  const values = tensorValues(tensor);
  if (values instanceof Float32Array) return values;
  if (tensor.dataType === DataType.FLOAT16) return float16BitsToFloat32Array(values as Uint16Array);
  if (tensor.dataType === DataType.BFLOAT16) {
    const out = new Float32Array(values.length);
    const words = new Uint32Array(out.buffer);
    for (let i = 0; i < values.length; i++) words[i] = (values[i] as number) << 16;
    return out;
  }
  return Float32Array.from(values as ArrayLike<number | bigint>, Number);
}

/** Values as plain numbers (int64 shapes and axes, mostly). */
export function tensorToNumbers(tensor: TensorProto): number[] {
  return Array.from(tensorValues(tensor) as ArrayLike<number | bigint>, Number);
}

/**
 * A new initializer holding `values` in raw_data (the compact encoding every modern exporter uses).
 * `values` must be the array type tensorValues() returns for `dataType`.
 */
export function createTensorProto(
  name: string,
  dataType: DataType,
  dims: readonly number[],
  values: TensorArray,
): TensorProto {
  const count = dims.reduce((a, b) => a * b, 1);
  if (values.length !== count) {
    throw new RangeError(`tensor "${name}": ${values.length} values for dims [${dims.join(', ')}]`);
  }
  const byteLength = byteLengthOf(dataType, count);
  if (values.byteLength !== byteLength) {
    throw new TypeError(`tensor "${name}": a ${values.constructor.name} cannot hold ${dataTypeName(dataType)}`);
  }
  return create(TensorProtoSchema, {
    name,
    dataType,
    dims: dims.map((d) => BigInt(d)),
    rawData: new Uint8Array(new Uint8Array(values.buffer, values.byteOffset, values.byteLength)),
  });
}
