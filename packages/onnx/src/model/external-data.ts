import { create } from '@bufbuild/protobuf';
import { OxvError } from '@oxidizedvision/runtime';
import {
  StringStringEntryProtoSchema,
  TensorProto_DataLocation,
  type GraphProto,
  type ModelProto,
  type TensorProto,
} from '../proto/onnx_pb.js';
import { isExternal } from '../tensor/values.js';

export interface ExternalReference {
  location: string;
  offset: number;
  /** undefined: to the end of the file. */
  length: number | undefined;
}

/** Every tensor in the model that can hold weights: initializers and Constant node values, subgraphs too. */
export function allTensors(model: ModelProto): TensorProto[] {
  const out: TensorProto[] = [];
  const visit = (graph: GraphProto | undefined): void => {
    if (!graph) return;
    out.push(...graph.initializer);
    for (const sparse of graph.sparseInitializer) {
      if (sparse.values) out.push(sparse.values);
      if (sparse.indices) out.push(sparse.indices);
    }
    for (const node of graph.node) {
      for (const attr of node.attribute) {
        if (attr.t) out.push(attr.t);
        out.push(...attr.tensors);
        visit(attr.g);
        for (const g of attr.graphs) visit(g);
      }
    }
  };
  visit(model.graph);
  return out;
}

/** Where an external tensor's bytes are, from its key/value entries; validates them. */
export function externalReference(tensor: TensorProto): ExternalReference {
  const entries = new Map(tensor.externalData.map((e) => [e.key, e.value]));
  const location = entries.get('location');
  if (!location) throw badReference(tensor, 'no "location" entry');
  // A location is relative to the model's folder and must stay inside it (the spec forbids escaping it;
  // honouring "../" would let a downloaded model read arbitrary files).
  if (location.startsWith('/') || location.split(/[\\/]/).includes('..') || /^[a-zA-Z]:/.test(location)) {
    throw badReference(tensor, `location "${location}" must be a relative path inside the model's folder`);
  }
  const offset = Number(entries.get('offset') ?? 0);
  const lengthText = entries.get('length');
  const length = lengthText === undefined ? undefined : Number(lengthText);
  if (
    !Number.isSafeInteger(offset) ||
    offset < 0 ||
    (length !== undefined && (!Number.isSafeInteger(length) || length < 0))
  ) {
    throw badReference(tensor, 'offset/length are not non-negative integers');
  }
  return { location, offset, length };
}

/**
 * Replaces external references with the loaded bytes, so the model is self-contained in memory.
 * `read(location, offset, length)` returns the bytes (isomorphic: Node reads files, a browser fetches).
 */
export async function internalizeExternalData(
  model: ModelProto,
  read: (ref: ExternalReference, tensor: TensorProto) => Promise<Uint8Array>,
): Promise<string[]> {
  const files = new Set<string>();
  for (const tensor of allTensors(model)) {
    if (!isExternal(tensor)) continue;
    const ref = externalReference(tensor);
    files.add(ref.location);
    tensor.rawData = await read(ref, tensor);
    tensor.externalData = [];
    tensor.dataLocation = TensorProto_DataLocation.DEFAULT;
  }
  return [...files];
}

/**
 * Moves the raw_data of tensors at least `threshold` bytes long out of the model into one blob, and
 * points them at `location` (offsets aligned to 4096 bytes, as onnx's own writer does, so runtimes can
 * mmap them). Returns the blob's chunks in order. The model is modified in place.
 */
export function externalizeTensors(model: ModelProto, location: string, threshold: number): Uint8Array[] {
  const ALIGN = 4096;
  const chunks: Uint8Array[] = [];
  let offset = 0;
  for (const tensor of allTensors(model)) {
    if (isExternal(tensor) || tensor.rawData.byteLength < threshold) continue;
    const padding = (ALIGN - (offset % ALIGN)) % ALIGN;
    if (padding) chunks.push(new Uint8Array(padding));
    offset += padding;
    const data = tensor.rawData;
    chunks.push(data);
    const entry = (key: string, value: string) => create(StringStringEntryProtoSchema, { key, value });
    tensor.externalData = [
      entry('location', location),
      entry('offset', String(offset)),
      entry('length', String(data.byteLength)),
    ];
    tensor.dataLocation = TensorProto_DataLocation.EXTERNAL;
    tensor.rawData = new Uint8Array(0);
    offset += data.byteLength;
  }
  return chunks;
}

function badReference(tensor: TensorProto, reason: string): OxvError {
  return new OxvError('ERR_ONNX_INVALID', `tensor "${tensor.name}" has a bad external data reference: ${reason}`);
}
