import { OxvError, createTensor, isDType, type DType, type Tensor, type TensorInfo } from '@oxidizedvision/runtime';
import type { InferRequest } from './types.js';

/**
 * Checks a request against the model before it is queued. The worker's runner checks again, but a bad
 * request must fail alone here: once batched it would fail every request it was concatenated with.
 * Same rules and codes as the runtime's feed validation (ERR_INPUT_NAME / _DTYPE / _SHAPE).
 */
export function validateRequest(
  inputs: readonly TensorInfo[],
  outputs: readonly TensorInfo[],
  request: InferRequest,
): void {
  if (
    typeof request !== 'object' ||
    request === null ||
    typeof request.inputs !== 'object' ||
    request.inputs === null
  ) {
    throw new OxvError('ERR_INPUT_NAME', 'request.inputs must be an object mapping input names to tensors');
  }
  const inputNames = inputs.map((i) => i.name);
  for (const name of Object.keys(request.inputs)) {
    if (!inputNames.includes(name)) {
      throw new OxvError('ERR_INPUT_NAME', `unknown input "${name}"; the model's inputs are ${list(inputNames)}`, {
        details: { input: name, inputs: inputNames },
      });
    }
  }
  for (const info of inputs) {
    const tensor = request.inputs[info.name];
    if (tensor === undefined) {
      throw new OxvError('ERR_INPUT_NAME', `missing input "${info.name}"; the model's inputs are ${list(inputNames)}`, {
        details: { input: info.name, inputs: inputNames },
      });
    }
    checkTensor(info, tensor);
  }
  if (request.outputs !== undefined) checkOutputs(outputs, request.outputs);
}

function checkTensor(info: TensorInfo, tensor: Tensor): void {
  const label = `input "${info.name}"`;
  if (typeof tensor !== 'object' || tensor === null) {
    throw new OxvError('ERR_INPUT_DTYPE', `${label} must be a tensor ({ dtype, shape, data })`, {
      details: { input: info.name },
    });
  }
  if (tensor.dtype !== info.dtype || !isDType(tensor.dtype)) {
    throw new OxvError('ERR_INPUT_DTYPE', `${label}: expected dtype ${info.dtype}, got ${String(tensor.dtype)}`, {
      details: { input: info.name, expected: info.dtype, got: tensor.dtype },
    });
  }
  if (!hasStorageFor(tensor.dtype, tensor.data)) {
    throw new OxvError('ERR_INPUT_DTYPE', `${label}: dtype ${tensor.dtype} needs ${storageName(tensor.dtype)} data`, {
      details: { input: info.name, dtype: tensor.dtype },
    });
  }
  const shape = tensor.shape;
  const fail = (why: string): OxvError =>
    new OxvError(
      'ERR_INPUT_SHAPE',
      `${label}: expected shape [${info.shape.join(', ')}], got [${String(shape)}] (${why})`,
      {
        details: { input: info.name, expected: info.shape, got: Array.isArray(shape) ? [...shape] : shape },
      },
    );
  if (!Array.isArray(shape) || !shape.every((d) => Number.isSafeInteger(d) && d >= 0))
    throw fail('dims must be non-negative integers');
  // An empty declared shape is a scalar or an undeclared rank; only the runtime can judge it.
  if (info.shape.length > 0) {
    if (shape.length !== info.shape.length) throw fail(`rank ${shape.length}, expected rank ${info.shape.length}`);
    info.shape.forEach((expected, axis) => {
      const got = shape[axis]!;
      if (typeof expected === 'number' && got !== expected)
        throw fail(`axis ${axis}: expected ${expected}, got ${got}`);
      if (typeof expected === 'string' && got < 1) throw fail(`axis ${axis} ("${expected}") must be at least 1`);
    });
  }
  const size = shape.reduce((a, b) => a * b, 1);
  if (tensor.data.length !== size) {
    throw new OxvError(
      'ERR_INPUT_SHAPE',
      `${label}: data has ${tensor.data.length} elements but shape [${shape.join(', ')}] needs ${size}`,
      {
        details: { input: info.name, length: tensor.data.length, expected: size },
      },
    );
  }
}

function checkOutputs(outputs: readonly TensorInfo[], requested: readonly string[]): void {
  const names = outputs.map((o) => o.name);
  if (!Array.isArray(requested) || requested.length === 0) {
    throw new OxvError('ERR_INPUT_NAME', 'request.outputs must be a non-empty array of output names');
  }
  for (const name of requested) {
    if (!names.includes(name)) {
      throw new OxvError('ERR_INPUT_NAME', `unknown output "${name}"; the model's outputs are ${list(names)}`, {
        details: { output: name, outputs: names },
      });
    }
  }
}

/** A typed array constructor, compared by identity only. */
type StorageClass = abstract new (...args: never[]) => ArrayBufferView;

const storageClasses = new Map<DType, StorageClass>();

/** The exact typed array class the runtime stores a dtype in (Buffer also counts for uint8/bool). */
function hasStorageFor(dtype: DType, data: unknown): boolean {
  const expected = storageClass(dtype);
  if (typeof data !== 'object' || data === null || !ArrayBuffer.isView(data)) return false;
  if (data.constructor === expected) return true;
  return expected === Uint8Array && data instanceof Uint8Array && !(data instanceof Uint8ClampedArray);
}

function storageClass(dtype: DType): StorageClass {
  let ctor = storageClasses.get(dtype);
  if (ctor === undefined) storageClasses.set(dtype, (ctor = createTensor(dtype, [0]).data.constructor as StorageClass));
  return ctor;
}

function storageName(dtype: DType): string {
  return storageClass(dtype).name;
}

function list(names: readonly string[]): string {
  return names.map((n) => `"${n}"`).join(', ');
}
