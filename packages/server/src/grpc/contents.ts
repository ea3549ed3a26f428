import { OxvError, createTensor, type DType, type Tensor } from '@oxidizedvision/runtime';
import { elementCount } from '../protocol/tensor-data.js';
import type { TensorContents } from './messages.js';

/** Where each protocol datatype's values go in InferTensorContents (FP16 and BF16 have no field: raw only). */
const FIELD_OF: Readonly<Record<string, keyof TensorContents>> = {
  BOOL: 'bool_contents',
  INT8: 'int_contents',
  INT16: 'int_contents',
  INT32: 'int_contents',
  INT64: 'int64_contents',
  UINT8: 'uint_contents',
  UINT16: 'uint_contents',
  UINT32: 'uint_contents',
  UINT64: 'uint64_contents',
  FP32: 'fp32_contents',
  FP64: 'fp64_contents',
  BYTES: 'bytes_contents',
};

const FIELDS = [...new Set(Object.values(FIELD_OF))];

/** The typed field a datatype uses, or undefined for one that travels only in raw contents. */
export const contentsField = (datatype: string): keyof TensorContents | undefined => FIELD_OF[datatype];

function valuesOf(contents: TensorContents | null, datatype: string, where: string): unknown[] {
  const field = FIELD_OF[datatype];
  if (field === undefined) {
    throw new OxvError('ERR_BAD_REQUEST', `${where}: ${datatype} has no typed contents; send raw_input_contents`);
  }
  const stray = contents ? FIELDS.find((f) => f !== field && contents[f].length > 0) : undefined;
  if (stray !== undefined) {
    throw new OxvError('ERR_INPUT_DTYPE', `${where} is ${datatype}: its values go in contents.${field}, not ${stray}`);
  }
  return contents?.[field] ?? [];
}

/** A typed-contents input (`fp32_contents`, `int64_contents`…) into a tensor of `shape`. */
export function tensorFromContents(
  dtype: DType,
  datatype: string,
  shape: number[],
  contents: TensorContents | null,
  where: string,
): Tensor {
  const values = valuesOf(contents, datatype, where);
  const expected = elementCount(shape);
  if (values.length !== expected) {
    throw new OxvError(
      'ERR_INPUT_SHAPE',
      `${where}: shape [${shape.join(', ')}] needs ${expected} elements but contents.${FIELD_OF[datatype]} has ${values.length}`,
    );
  }
  try {
    if (dtype === 'int64') return createTensor(dtype, shape, BigInt64Array.from(values as string[], BigInt));
    if (dtype === 'bool') return createTensor(dtype, shape, Uint8Array.from(values as boolean[], Number));
    return createTensor(dtype, shape, values as never);
  } catch (error) {
    // createTensor names the bad element (data[7] is not a valid int8 value: 300).
    throw new OxvError('ERR_INPUT_DTYPE', `${where}: ${(error as Error).message}`, { cause: error });
  }
}

/** A tensor's elements for its typed-contents field (INT64 as decimal strings, so none loses precision). */
export function contentsFromTensor(tensor: Tensor, datatype: string): Partial<Record<keyof TensorContents, unknown[]>> {
  const field = FIELD_OF[datatype];
  if (field === undefined) throw new OxvError('ERR_INFERENCE', `${datatype} outputs travel only as raw contents`);
  const { dtype, data } = tensor;
  if (dtype === 'int64') return { [field]: Array.from(data as BigInt64Array, String) };
  if (dtype === 'bool') return { [field]: Array.from(data as Uint8Array, (v) => v !== 0) };
  return { [field]: Array.from(data as ArrayLike<number>) };
}
