import { createRng, float16BitsToFloat32Array, randomTensor, type Tensor } from '@oxidizedvision/runtime';
import type { InputSpec } from '../types.js';
import { OIP_DATATYPES, type OipDatatype } from './types.js';

/** One infer request, built once per level and sent by every client: the body is never consumed. */
export interface InferRequest {
  body: string | Uint8Array<ArrayBuffer>;
  headers: Record<string, string>;
}

function jsonData(tensor: Tensor): (number | boolean)[] {
  switch (tensor.dtype) {
    case 'bool':
      return Array.from(tensor.data as Uint8Array, (v) => v !== 0);
    case 'int64':
      return Array.from(tensor.data as BigInt64Array, Number);
    case 'float16':
      return Array.from(float16BitsToFloat32Array(tensor.data as Uint16Array));
    default:
      return Array.from(tensor.data as ArrayLike<number>);
  }
}

function bytesOf(tensor: Tensor): Uint8Array {
  const { buffer, byteOffset, byteLength } = tensor.data;
  return new Uint8Array(buffer, byteOffset, byteLength);
}

/**
 * A v2 infer request with random inputs: JSON (`datatype` + flat row-major `data`), or Triton's binary
 * tensor extension (a JSON header whose length is in `Inference-Header-Content-Length`, then each input's
 * raw little-endian bytes in order, sized by `binary_data_size`; outputs asked back binary too).
 */
export function buildInferRequest(inputs: readonly InputSpec[], binary: boolean, seed = 0): InferRequest {
  const rng = createRng(seed);
  const tensors = inputs.map((i) => randomTensor(OIP_DATATYPES[i.dtype as OipDatatype], i.shape, rng));
  if (!binary) {
    const body = JSON.stringify({
      inputs: inputs.map((i, k) => ({ name: i.name, shape: i.shape, datatype: i.dtype, data: jsonData(tensors[k]!) })),
    });
    return { body, headers: { 'content-type': 'application/json' } };
  }
  const chunks = tensors.map(bytesOf);
  const header = new TextEncoder().encode(
    JSON.stringify({
      inputs: inputs.map((i, k) => ({
        name: i.name,
        shape: i.shape,
        datatype: i.dtype,
        parameters: { binary_data_size: chunks[k]!.byteLength },
      })),
      parameters: { binary_data_output: true },
    }),
  );
  const body = new Uint8Array(header.byteLength + chunks.reduce((n, c) => n + c.byteLength, 0));
  body.set(header, 0);
  let offset = header.byteLength;
  for (const chunk of chunks) {
    body.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return {
    body,
    headers: {
      'content-type': 'application/octet-stream',
      'inference-header-content-length': String(header.byteLength),
    },
  };
}
