import { DTYPE_BYTES, OxvError, type Tensor, type TensorInfo } from '@oxidizedvision/runtime';
import type { InferResult, ModelMetadata } from '../models/types.js';
import { fromProtocolDatatype, toProtocolDatatype } from '../protocol/datatypes.js';
import { elementCount, tensorFromBytes, tensorToBytes } from '../protocol/tensor-data.js';
import { contentsField, contentsFromTensor, tensorFromContents } from './contents.js';
import type {
  InferInputTensor,
  InferParameter,
  ModelInferRequest,
  ModelInferResponse,
  Parameters,
} from './messages.js';

/** A ModelInferRequest, checked against the model's declared inputs and outputs. */
export interface DecodedGrpcInfer {
  id: string;
  inputs: Record<string, Tensor>;
  /** In the order to answer them: the request's `outputs`, or every model output. */
  outputs: string[];
  outputSubset: boolean;
  /** The inputs came in raw_input_contents, so the outputs go back in raw_output_contents (as Triton). */
  raw: boolean;
  timeoutMs: number | undefined;
}

function bad(message: string): never {
  throw new OxvError('ERR_BAD_REQUEST', message);
}

/** Triton's per-tensor parameters for shared memory and classification need features this server lacks. */
const UNSUPPORTED_PARAMETERS = ['shared_memory_region', 'shared_memory_byte_size', 'shared_memory_offset'];

function refuseUnsupported(parameters: Parameters, where: string): void {
  const unsupported = Object.keys(parameters).filter(
    (k) => UNSUPPORTED_PARAMETERS.includes(k) || k === 'classification',
  );
  if (unsupported.length > 0) bad(`${where}: parameter ${unsupported.join(', ')} is not supported by this server`);
}

function numberParam(parameter: InferParameter | undefined, where: string): number | undefined {
  if (parameter === undefined) return undefined;
  const value = parameter.parameter_choice === undefined ? undefined : parameter[parameter.parameter_choice];
  const n = typeof value === 'string' || typeof value === 'number' ? Number(value) : NaN;
  if (!Number.isFinite(n) || n < 0) bad(`${where} must be a non-negative number`);
  return n;
}

/**
 * `parameters.timeout` is microseconds (Triton); a gRPC deadline bounds it too, so a request the client
 * stopped waiting for leaves the queue instead of running.
 */
function timeoutFrom(parameters: Parameters, deadline: number | undefined): number | undefined {
  const micros = numberParam(parameters.timeout, 'parameters.timeout (microseconds)');
  const fromParameter = micros === undefined || micros === 0 ? undefined : micros / 1000;
  if (deadline === undefined) return fromParameter;
  const left = Math.max(1, deadline - Date.now());
  return fromParameter === undefined ? left : Math.min(fromParameter, left);
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

function shapeOf(raw: InferInputTensor, where: string): number[] {
  const shape = raw.shape.map(Number);
  if (!shape.every((d) => Number.isSafeInteger(d) && d >= 0)) {
    bad(`${where}.shape must be non-negative integers, got [${raw.shape.join(', ')}]`);
  }
  return shape;
}

function decodeInput(raw: InferInputTensor, index: number, meta: ModelMetadata, bytes: Buffer | undefined): Tensor {
  const where = `inputs[${index}]`;
  if (raw.name === '') bad(`${where}.name is empty`);
  const info = findInfo(meta.inputs, raw.name, 'input', meta.name);
  const label = `input "${raw.name}"`;
  const expected = toProtocolDatatype(info.dtype);
  const dtype = fromProtocolDatatype(raw.datatype);
  if (raw.datatype !== expected || dtype === undefined) {
    throw new OxvError('ERR_INPUT_DTYPE', `${label} has datatype ${expected}, got ${raw.datatype || '(none)'}`);
  }
  refuseUnsupported(raw.parameters, label);
  const shape = shapeOf(raw, where);
  if (bytes === undefined) return tensorFromContents(dtype, raw.datatype, shape, raw.contents, label);
  const size = elementCount(shape) * DTYPE_BYTES[dtype];
  if (bytes.byteLength !== size) {
    throw new OxvError(
      'ERR_INPUT_SHAPE',
      `${label}: shape [${shape.join(', ')}] of ${raw.datatype} needs ${size} bytes but raw_input_contents[${index}] has ${bytes.byteLength}`,
    );
  }
  return tensorFromBytes(dtype, shape, bytes, label);
}

function decodeOutputs(request: ModelInferRequest, meta: ModelMetadata): string[] {
  const seen = new Set<string>();
  return request.outputs.map((output, i) => {
    if (output.name === '') bad(`outputs[${i}].name is empty`);
    findInfo(meta.outputs, output.name, 'output', meta.name);
    if (seen.has(output.name)) bad(`output "${output.name}" is requested twice`);
    refuseUnsupported(output.parameters, `output "${output.name}"`);
    seen.add(output.name);
    return output.name;
  });
}

/** Decodes a ModelInferRequest against the serving version's metadata; `deadline` is the call's, in ms. */
export function decodeGrpcInfer(
  request: ModelInferRequest,
  meta: ModelMetadata,
  deadline: number | undefined,
): DecodedGrpcInfer {
  if (request.inputs.length === 0) bad('inputs must not be empty');
  const raw = request.raw_input_contents;
  if (raw.length > 0 && raw.length !== request.inputs.length) {
    bad(`raw_input_contents has ${raw.length} entries for ${request.inputs.length} inputs; send one per input`);
  }
  const inputs: Record<string, Tensor> = {};
  request.inputs.forEach((input, i) => {
    if (raw.length > 0 && input.contents !== null && Object.values(input.contents).some((v) => v.length > 0)) {
      bad(`input "${input.name}" has contents while raw_input_contents is used; send every input one way`);
    }
    if (Object.hasOwn(inputs, input.name)) bad(`input "${input.name}" is given twice`);
    inputs[input.name] = decodeInput(input, i, meta, raw.length > 0 ? raw[i] : undefined);
  });
  const missing = meta.inputs.filter((info) => !Object.hasOwn(inputs, info.name)).map((info) => info.name);
  if (missing.length > 0) {
    throw new OxvError('ERR_INPUT_NAME', `model "${meta.name}" needs input(s) ${missing.join(', ')} as well`);
  }
  const outputs = decodeOutputs(request, meta);
  return {
    id: request.id,
    inputs,
    outputs: outputs.length > 0 ? outputs : meta.outputs.map((o) => o.name),
    outputSubset: outputs.length > 0,
    raw: raw.length > 0,
    timeoutMs: timeoutFrom(request.parameters, deadline),
  };
}

/**
 * The ModelInferResponse: raw little-endian outputs when the request was raw, or when an output's type
 * (FP16) has no typed field, since clients read one way or the other for the whole response.
 */
export function encodeGrpcInfer(result: InferResult, decoded: DecodedGrpcInfer): ModelInferResponse {
  const tensors = decoded.outputs.map((name) => {
    const tensor = result.outputs[name];
    if (tensor === undefined) throw new OxvError('ERR_INFERENCE', `the model returned no output "${name}"`);
    return { name, tensor, datatype: toProtocolDatatype(tensor.dtype) };
  });
  const raw = decoded.raw || tensors.some((t) => contentsField(t.datatype) === undefined);
  return {
    model_name: result.modelName,
    model_version: result.modelVersion,
    id: decoded.id,
    outputs: tensors.map(({ name, tensor, datatype }) => ({
      name,
      datatype,
      shape: [...tensor.shape],
      ...(raw ? {} : { contents: contentsFromTensor(tensor, datatype) }),
    })),
    raw_output_contents: raw ? tensors.map((t) => tensorToBytes(t.tensor)) : [],
  };
}
