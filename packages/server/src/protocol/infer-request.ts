import { DTYPE_BYTES, OxvError, type Tensor, type TensorInfo } from '@oxidizedvision/runtime';
import type { ModelMetadata } from '../models/types.js';
import { BinaryReader, splitBody } from './binary.js';
import { fromProtocolDatatype, toProtocolDatatype } from './datatypes.js';
import { parseJson } from './json/parse-json.js';
import { checkShape, elementCount, tensorFromBytes, tensorFromJson } from './tensor-data.js';

/** One requested output and whether it goes back as binary. */
export interface RequestedOutput {
  name: string;
  binary: boolean;
}

/** An inference request, decoded and checked against the model's declared inputs and outputs. */
export interface DecodedInferRequest {
  id: string | undefined;
  inputs: Record<string, Tensor>;
  /** In the order to answer them: the request's `outputs`, or every model output. */
  outputs: RequestedOutput[];
  /** Whether the client named outputs (then only those are computed). */
  outputSubset: boolean;
  timeoutMs: number | undefined;
}

type Json = Record<string, unknown>;

const isObject = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

function bad(message: string): never {
  throw new OxvError('ERR_BAD_REQUEST', message);
}

function optionalObject(value: unknown, where: string): Json {
  if (value === undefined) return {};
  if (!isObject(value)) bad(`${where} must be a JSON object`);
  return value;
}

/** `parameters.timeout` is microseconds, as in Triton's schedule_policy extension. */
function timeoutFrom(parameters: Json): number | undefined {
  const timeout = parameters.timeout;
  if (timeout === undefined) return undefined;
  if (typeof timeout !== 'number' || !Number.isFinite(timeout) || timeout < 0) {
    bad('parameters.timeout must be a non-negative number of microseconds');
  }
  return timeout === 0 ? undefined : timeout / 1000;
}

function findInfo(list: TensorInfo[], name: string, kind: 'input' | 'output', model: string): TensorInfo {
  const info = list.find((i) => i.name === name);
  if (info) return info;
  const names = list.map((i) => i.name).join(', ');
  if (kind === 'input') {
    throw new OxvError('ERR_INPUT_NAME', `model "${model}" has no input "${name}"; its inputs are: ${names}`);
  }
  return bad(`model "${model}" has no output "${name}"; its outputs are: ${names}`);
}

function decodeInput(raw: unknown, index: number, meta: ModelMetadata, reader: BinaryReader): [string, Tensor] {
  const where = `inputs[${index}]`;
  if (!isObject(raw)) bad(`${where} must be a JSON object`);
  if (typeof raw.name !== 'string') bad(`${where}.name must be a string`);
  const info = findInfo(meta.inputs, raw.name, 'input', meta.name);
  const label = `input "${raw.name}"`;
  if (typeof raw.datatype !== 'string') bad(`${where}.datatype must be a string such as "FP32"`);
  const expected = toProtocolDatatype(info.dtype);
  const dtype = fromProtocolDatatype(raw.datatype);
  if (raw.datatype !== expected || dtype === undefined) {
    throw new OxvError('ERR_INPUT_DTYPE', `${label} has datatype ${expected}, got ${raw.datatype}`);
  }
  const shape = checkShape(raw.shape, where);
  const parameters = optionalObject(raw.parameters, `${where}.parameters`);
  const size = parameters.binary_data_size;
  if (size !== undefined) {
    if (typeof size !== 'number' || !Number.isSafeInteger(size) || size < 0) {
      bad(`${where}.parameters.binary_data_size must be a non-negative integer`);
    }
    if (raw.data !== undefined) bad(`${where} has both data and binary_data_size; send one`);
    return [raw.name, tensorFromBytes(dtype, shape, reader.take(size, label), label)];
  }
  if (raw.data === undefined) bad(`${where} has no data (and no parameters.binary_data_size)`);
  return [raw.name, tensorFromJson(dtype, shape, raw.data, label)];
}

function decodeOutputs(raw: unknown, meta: ModelMetadata, binaryDefault: boolean): RequestedOutput[] | undefined {
  if (raw === undefined) return undefined;
  if (!Array.isArray(raw)) bad('outputs must be an array');
  const seen = new Set<string>();
  return raw.map((entry, i) => {
    if (!isObject(entry) || typeof entry.name !== 'string') bad(`outputs[${i}].name must be a string`);
    findInfo(meta.outputs, entry.name, 'output', meta.name);
    if (seen.has(entry.name)) bad(`output "${entry.name}" is requested twice`);
    seen.add(entry.name);
    const binary = optionalObject(entry.parameters, `outputs[${i}].parameters`).binary_data;
    if (binary !== undefined && typeof binary !== 'boolean')
      bad(`outputs[${i}].parameters.binary_data must be a boolean`);
    return { name: entry.name, binary: binary ?? binaryDefault };
  });
}

function decodeHeader(header: Json, binary: Uint8Array, meta: ModelMetadata): DecodedInferRequest {
  if (header.id !== undefined && typeof header.id !== 'string') bad('id must be a string');
  const parameters = optionalObject(header.parameters, 'parameters');
  const binaryDefault = parameters.binary_data_output;
  if (binaryDefault !== undefined && typeof binaryDefault !== 'boolean') {
    bad('parameters.binary_data_output must be a boolean');
  }
  if (!Array.isArray(header.inputs) || header.inputs.length === 0) bad('inputs must be a non-empty array');
  const reader = new BinaryReader(binary);
  const inputs: Record<string, Tensor> = {};
  header.inputs.forEach((raw, i) => {
    const [name, tensor] = decodeInput(raw, i, meta, reader);
    if (Object.hasOwn(inputs, name)) bad(`input "${name}" is given twice`);
    inputs[name] = tensor;
  });
  reader.assertConsumed();
  const missing = meta.inputs.filter((info) => !Object.hasOwn(inputs, info.name)).map((info) => info.name);
  if (missing.length > 0) {
    throw new OxvError('ERR_INPUT_NAME', `model "${meta.name}" needs input(s) ${missing.join(', ')} as well`);
  }
  const requested = decodeOutputs(header.outputs, meta, binaryDefault ?? false);
  return {
    id: header.id as string | undefined,
    inputs,
    outputs: requested ?? meta.outputs.map((o) => ({ name: o.name, binary: binaryDefault ?? false })),
    outputSubset: requested !== undefined,
    timeoutMs: timeoutFrom(parameters),
  };
}

/**
 * A raw binary request (`Inference-Header-Content-Length: 0`): the body is the only input's bytes, batch 1,
 * with at most one other variable dim deduced from the length; every output comes back binary (Triton).
 */
function decodeRaw(binary: Uint8Array, meta: ModelMetadata): DecodedInferRequest {
  if (meta.inputs.length !== 1)
    bad(`a raw binary request needs a model with one input; "${meta.name}" has ${meta.inputs.length}`);
  const info = meta.inputs[0]!;
  const dtype = fromProtocolDatatype(toProtocolDatatype(info.dtype));
  if (dtype === undefined)
    throw new OxvError('ERR_INPUT_DTYPE', `input "${info.name}" has an unsupported type ${info.dtype}`);
  const shape = info.shape.map((d, i) => (typeof d === 'number' && d >= 0 ? d : i === 0 ? 1 : -1));
  const variable = shape.filter((d) => d === -1).length;
  if (variable > 1)
    bad(`input "${info.name}" has ${variable} variable dims besides the batch; send a JSON header with its shape`);
  if (variable === 1) {
    const known = elementCount(shape.filter((d) => d !== -1)) * DTYPE_BYTES[dtype];
    if (known === 0 || binary.byteLength % known !== 0)
      bad(`${binary.byteLength} bytes do not fit input "${info.name}"`);
    shape[shape.indexOf(-1)] = binary.byteLength / known;
  }
  return {
    id: undefined,
    inputs: { [info.name]: tensorFromBytes(dtype, shape, binary, `input "${info.name}"`) },
    outputs: meta.outputs.map((o) => ({ name: o.name, binary: true })),
    outputSubset: false,
    timeoutMs: undefined,
  };
}

/** Decodes a JSON or binary-extension infer request body against the model's metadata. */
export function decodeInferRequest(
  body: Uint8Array,
  headerLength: string | string[] | undefined,
  meta: ModelMetadata,
): DecodedInferRequest {
  const split = splitBody(body, headerLength);
  if (split.header === null) return decodeRaw(split.binary, meta);
  return decodeParsedRequest(parseJson(split.header, headerWhat(headerLength)), split.binary, meta);
}

/** What a parse error calls the JSON it read. */
export const headerWhat = (headerLength: string | string[] | undefined): string =>
  headerLength === undefined ? 'request body' : 'JSON header';

/** decodeInferRequest for a whole-JSON body already parsed by parseJson (json-workers parse large ones). */
export function decodeParsedRequest(header: unknown, binary: Uint8Array, meta: ModelMetadata): DecodedInferRequest {
  if (!isObject(header)) bad('the inference request must be a JSON object');
  return decodeHeader(header, binary, meta);
}
