import { TensorProto_DataType as DataType } from '../proto/onnx_pb.js';

export { DataType };

interface DataTypeInfo {
  name: string;
  /** Bytes per element in raw_data; fractional for the packed 4-bit and 2-bit types. */
  bytes: number;
}

/** Names follow onnxruntime's tensor type strings where one exists (float32, not FLOAT). */
const INFO: Partial<Record<DataType, DataTypeInfo>> = {
  [DataType.FLOAT]: { name: 'float32', bytes: 4 },
  [DataType.UINT8]: { name: 'uint8', bytes: 1 },
  [DataType.INT8]: { name: 'int8', bytes: 1 },
  [DataType.UINT16]: { name: 'uint16', bytes: 2 },
  [DataType.INT16]: { name: 'int16', bytes: 2 },
  [DataType.INT32]: { name: 'int32', bytes: 4 },
  [DataType.INT64]: { name: 'int64', bytes: 8 },
  [DataType.STRING]: { name: 'string', bytes: 0 },
  [DataType.BOOL]: { name: 'bool', bytes: 1 },
  [DataType.FLOAT16]: { name: 'float16', bytes: 2 },
  [DataType.DOUBLE]: { name: 'float64', bytes: 8 },
  [DataType.UINT32]: { name: 'uint32', bytes: 4 },
  [DataType.UINT64]: { name: 'uint64', bytes: 8 },
  [DataType.COMPLEX64]: { name: 'complex64', bytes: 8 },
  [DataType.COMPLEX128]: { name: 'complex128', bytes: 16 },
  [DataType.BFLOAT16]: { name: 'bfloat16', bytes: 2 },
  [DataType.FLOAT8E4M3FN]: { name: 'float8e4m3fn', bytes: 1 },
  [DataType.FLOAT8E4M3FNUZ]: { name: 'float8e4m3fnuz', bytes: 1 },
  [DataType.FLOAT8E5M2]: { name: 'float8e5m2', bytes: 1 },
  [DataType.FLOAT8E5M2FNUZ]: { name: 'float8e5m2fnuz', bytes: 1 },
  [DataType.FLOAT8E8M0]: { name: 'float8e8m0', bytes: 1 },
  [DataType.UINT4]: { name: 'uint4', bytes: 0.5 },
  [DataType.INT4]: { name: 'int4', bytes: 0.5 },
  [DataType.FLOAT4E2M1]: { name: 'float4e2m1', bytes: 0.5 },
  [DataType.UINT2]: { name: 'uint2', bytes: 0.25 },
  [DataType.INT2]: { name: 'int2', bytes: 0.25 },
};

/** The type's name (`float32`, `int8`…), or `type<N>` for a code this schema does not know. */
export function dataTypeName(type: number): string {
  return INFO[type as DataType]?.name ?? `type${type}`;
}

/** Bytes one element takes in raw_data (0 for strings, whose size varies). */
export function dataTypeBytes(type: number): number {
  const info = INFO[type as DataType];
  if (!info) throw new RangeError(`unknown ONNX data type ${type}`);
  return info.bytes;
}

/** Bytes `count` elements take in raw_data, rounding packed sub-byte types up to whole bytes. */
export function byteLengthOf(type: number, count: number): number {
  return Math.ceil(dataTypeBytes(type) * count);
}

export function isFloatType(type: number): boolean {
  return type === DataType.FLOAT || type === DataType.FLOAT16 || type === DataType.DOUBLE || type === DataType.BFLOAT16;
}
