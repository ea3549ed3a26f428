import { isDType } from './dtype.js';
import { OxvError } from './errors.js';
import type { TensorInfo } from './runner.js';
import type { Tensor } from './tensor.js';
import { describeValue, formatNames, formatShape } from './internal/format.js';
import { isTypedArrayFor, typedArrayConstructorFor } from './typed-arrays.js';

/**
 * The one feed check every backend runs before calling its runtime, so errors read the same whichever
 * backend is used and a bad feed never reaches native code. Returns the output names to fetch.
 */
export function validateFeeds(
  inputs: readonly TensorInfo[],
  outputs: readonly TensorInfo[],
  feeds: Record<string, Tensor>,
  requestedOutputs?: readonly string[],
): string[] {
  if (typeof feeds !== 'object' || feeds === null || Array.isArray(feeds)) {
    throw new TypeError(`feeds must be an object mapping input names to tensors, got ${describeValue(feeds)}`);
  }
  const inputNames = inputs.map((info) => info.name);
  for (const name of Object.keys(feeds)) {
    if (!inputNames.includes(name)) {
      throw new OxvError(
        'ERR_INPUT_NAME',
        `unknown input "${name}"; the model's inputs are ${formatNames(inputNames)}`,
        { details: { input: name, inputs: inputNames } },
      );
    }
  }
  for (const info of inputs) {
    const tensor = feeds[info.name];
    if (tensor === undefined) {
      throw new OxvError(
        'ERR_INPUT_NAME',
        `missing input "${info.name}"; the model's inputs are ${formatNames(inputNames)}`,
        { details: { input: info.name, inputs: inputNames } },
      );
    }
    checkFeed(info, tensor);
  }
  return resolveOutputs(outputs, requestedOutputs);
}

function checkFeed(info: TensorInfo, tensor: Tensor): void {
  const label = `input "${info.name}"`;
  if (typeof tensor !== 'object' || tensor === null) {
    throw new TypeError(`${label} must be a tensor, got ${describeValue(tensor)}`);
  }
  if (tensor.dtype !== info.dtype) {
    throw new OxvError('ERR_INPUT_DTYPE', `${label}: expected dtype ${info.dtype}, got ${String(tensor.dtype)}`, {
      details: { input: info.name, expected: info.dtype, got: tensor.dtype },
    });
  }
  // dtype equals a model dtype from here on, but a hand-built tensor may still carry the wrong storage.
  if (!isDType(tensor.dtype) || !isTypedArrayFor(tensor.dtype, tensor.data)) {
    const expected = isDType(tensor.dtype) ? typedArrayConstructorFor(tensor.dtype).name : 'a typed array';
    throw new OxvError(
      'ERR_INPUT_DTYPE',
      `${label}: dtype ${tensor.dtype} needs ${expected} data, got ${describeValue(tensor.data)}`,
      { details: { input: info.name, dtype: tensor.dtype } },
    );
  }
  checkShape(info, tensor, label);
}

function checkShape(info: TensorInfo, tensor: Tensor, label: string): void {
  const shape = tensor.shape;
  const shapeError = (why: string): OxvError =>
    new OxvError(
      'ERR_INPUT_SHAPE',
      `${label}: expected shape ${formatShape(info.shape)}, got ${formatShape(shape)} (${why})`,
      { details: { input: info.name, expected: info.shape, got: Array.isArray(shape) ? [...shape] : shape } },
    );

  if (!Array.isArray(shape) || !shape.every((dim) => Number.isSafeInteger(dim) && dim >= 0)) {
    throw new OxvError(
      'ERR_INPUT_SHAPE',
      `${label}: shape must be an array of non-negative integers, got ${String(shape)}`,
    );
  }
  // An empty declared shape is either a scalar or an undeclared rank; ORT reports both as [], so only the
  // data length can be checked here and the runtime has the last word.
  if (info.shape.length > 0) {
    if (shape.length !== info.shape.length) {
      throw shapeError(`rank ${shape.length}, expected rank ${info.shape.length}`);
    }
    for (let axis = 0; axis < shape.length; axis++) {
      const expected = info.shape[axis]!;
      const got = shape[axis]!;
      if (typeof expected === 'number' && got !== expected) {
        throw shapeError(`axis ${axis}: expected ${expected}, got ${got}`);
      }
      if (typeof expected === 'string' && got < 1) {
        throw shapeError(`axis ${axis} ("${expected}") must be at least 1, got ${got}`);
      }
    }
  }
  const size = shape.reduce((product, dim) => product * dim, 1);
  if (tensor.data.length !== size) {
    throw new OxvError(
      'ERR_INPUT_SHAPE',
      `${label}: data has ${tensor.data.length} elements but shape ${formatShape(shape)} needs ${size}`,
      { details: { input: info.name, length: tensor.data.length, expected: size } },
    );
  }
}

function resolveOutputs(outputs: readonly TensorInfo[], requested: readonly string[] | undefined): string[] {
  const outputNames = outputs.map((info) => info.name);
  if (requested === undefined) return outputNames;
  if (!Array.isArray(requested) || requested.length === 0) {
    throw new RangeError(`options.outputs must be a non-empty array of output names, got ${describeValue(requested)}`);
  }
  for (const name of requested) {
    if (!outputNames.includes(name)) {
      throw new OxvError(
        'ERR_INPUT_NAME',
        `unknown output "${name}"; the model's outputs are ${formatNames(outputNames)}`,
        { details: { output: name, outputs: outputNames } },
      );
    }
  }
  return [...new Set(requested)];
}
