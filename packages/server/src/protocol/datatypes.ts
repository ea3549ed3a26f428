import type { DType } from '@oxidizedvision/runtime';

/** Open Inference Protocol datatype names for the dtypes a Tensor can hold. */
const TO_PROTOCOL: Readonly<Record<DType, string>> = {
  float32: 'FP32',
  float16: 'FP16',
  float64: 'FP64',
  int64: 'INT64',
  int32: 'INT32',
  int8: 'INT8',
  uint8: 'UINT8',
  bool: 'BOOL',
};

const FROM_PROTOCOL: Readonly<Record<string, DType>> = Object.fromEntries(
  Object.entries(TO_PROTOCOL).map(([dtype, name]) => [name, dtype as DType]),
);

/** Types a model may declare that no Tensor here can carry; named in metadata, refused in requests. */
const OTHER_TYPES: Readonly<Record<string, string>> = {
  uint16: 'UINT16',
  uint32: 'UINT32',
  uint64: 'UINT64',
  int16: 'INT16',
  string: 'BYTES',
  bfloat16: 'BF16',
};

/** Every datatype the protocol defines (case-sensitive, as the spec says). */
export const PROTOCOL_DATATYPES: readonly string[] = [...Object.values(TO_PROTOCOL), ...Object.values(OTHER_TYPES)];

/** The protocol name of a model's declared type; unknown runtime types pass through upper-cased. */
export function toProtocolDatatype(dtype: string): string {
  return TO_PROTOCOL[dtype as DType] ?? OTHER_TYPES[dtype] ?? dtype.toUpperCase();
}

/** The DType a protocol datatype carries, or undefined for one this server cannot feed a model. */
export function fromProtocolDatatype(datatype: string): DType | undefined {
  return Object.hasOwn(FROM_PROTOCOL, datatype) ? FROM_PROTOCOL[datatype] : undefined;
}

/** Triton's model-config spelling (TYPE_FP32, TYPE_STRING for BYTES). */
export function toTritonConfigType(dtype: string): string {
  const name = toProtocolDatatype(dtype);
  return name === 'BYTES' ? 'TYPE_STRING' : `TYPE_${name}`;
}
