import { OxvError } from '@oxidizedvision/runtime';
import type { InferResult } from '../models/types.js';
import { binaryBody, type BinaryBody } from './binary.js';
import { toProtocolDatatype } from './datatypes.js';
import type { RequestedOutput } from './infer-request.js';
import { jsonData, encodeJson } from './json/write-json.js';
import { tensorToBytes } from './tensor-data.js';

/** A JSON response (UTF-8 bytes), or (when any output is binary) the binary extension's header + raw parts. */
export type EncodedResponse = { json: Buffer; binary: null } | { json: null; binary: BinaryBody };

/**
 * The protocol's `$inference_response`. Binary outputs carry `parameters.binary_data_size` instead of
 * `data` and follow the JSON header in the order they are listed, as the binary extension specifies.
 */
export function encodeInferResponse(
  result: InferResult,
  id: string | undefined,
  requested: RequestedOutput[],
): EncodedResponse {
  const parts: Buffer[] = [];
  const outputs = requested.map(({ name, binary }) => {
    const tensor = result.outputs[name];
    if (tensor === undefined) throw new OxvError('ERR_INFERENCE', `the model returned no output "${name}"`);
    const base = { name, datatype: toProtocolDatatype(tensor.dtype), shape: [...tensor.shape] };
    if (!binary) return { ...base, data: jsonData(tensor) };
    const bytes = tensorToBytes(tensor);
    parts.push(bytes);
    return { ...base, parameters: { binary_data_size: bytes.byteLength } };
  });
  const header = {
    model_name: result.modelName,
    model_version: result.modelVersion,
    ...(id === undefined ? {} : { id }),
    outputs,
  };
  if (parts.length === 0) return { json: encodeJson(header), binary: null };
  return { json: null, binary: binaryBody(header, parts) };
}
