import { float32ArrayToFloat16Bits } from '@oxidizedvision/runtime';
import { inferShapes } from '../analysis/shape-inference.js';
import { attrInt, attrTensor, makeAttribute, setAttribute } from '../graph/attributes.js';
import { createNameAllocator, indexGraph } from '../graph/graph-index.js';
import type { ModelProto, NodeProto, TensorProto, TypeProto } from '../proto/onnx_pb.js';
import { DataType } from '../tensor/data-type.js';
import { createTensorProto, tensorToFloat32 } from '../tensor/values.js';
import { makeNode } from './internal/build.js';

/**
 * onnxconverter-common's DEFAULT_OP_BLOCK_LIST, less the classic-ML ops no vision model has: ops whose
 * fp16 kernels are missing in onnxruntime or lose too much precision (Resize's coordinate maths).
 */
export const FP16_DEFAULT_BLOCK_OPS: readonly string[] = [
  'NonMaxSuppression',
  'TopK',
  'RoiAlign',
  'Resize',
  'Range',
  'CumSum',
  'Min',
  'Max',
  'Upsample',
  'RandomNormalLike',
  'RandomUniformLike',
];

/** Inputs that must stay float32 in an fp16 graph (their type is not the op's T): Resize roi and scales, Upsample scales. */
const FLOAT32_SLOTS: Record<string, number[]> = { Resize: [1, 2], Upsample: [1] };

export interface Float16Options {
  /** Graph inputs and outputs stay float32, with Casts at the boundary (default true). */
  keepIoTypes?: boolean;
  /** Op types computed in float32 (default FP16_DEFAULT_BLOCK_OPS; pass extra ones in addition). */
  blockOps?: readonly string[];
  /** Node names computed in float32 (e.g. those whose fp16 result was found to drift). */
  blockNodes?: readonly string[];
}

export interface Float16Result {
  model: ModelProto;
  /** Nodes left in float32 (with Casts around them). */
  blocked: { name: string; op_type: string }[];
  casts: number;
}

/**
 * Converts float32 weights and computation to float16. Halves the weight bytes; on GPUs (and WebGPU) it
 * also halves bandwidth. Blocked nodes run in float32 between Cast nodes. Weights beyond ±65504 saturate
 * at ±65504 rather than becoming Infinity. Modifies and returns `model`.
 */
export function convertToFloat16(model: ModelProto, options: Float16Options = {}): Float16Result {
  const graph = model.graph!;
  const keepIo = options.keepIoTypes ?? true;
  const facts = inferShapes(model);
  const index = indexGraph(graph);
  const name = createNameAllocator(graph);
  const blockOps = new Set([...FP16_DEFAULT_BLOCK_OPS, ...(options.blockOps ?? [])]);
  const blockNodes = new Set(options.blockNodes ?? []);
  const isBlocked = (n: NodeProto) =>
    blockOps.has(n.opType) ||
    blockNodes.has(n.name) ||
    (n.domain !== '' && n.domain !== 'ai.onnx') ||
    n.output.some((o) => o && facts.get(o)?.dtype === 0);
  const blocked = new Set(graph.node.filter(isBlocked));
  const isFloat = (t: string) => facts.get(t)?.dtype === DataType.FLOAT;
  const readsAsFloat32 = (reader: NodeProto, tensor: string) =>
    blocked.has(reader) ||
    reader.input.every((i, slot) => i !== tensor || (FLOAT32_SLOTS[reader.opType]?.includes(slot) ?? false));
  // A Constant read only as float32 (Resize scales) stays float32 instead of round-tripping through fp16.
  for (const node of graph.node) {
    if (node.opType !== 'Constant' || !isFloat(node.output[0]!)) continue;
    if ((index.consumers.get(node.output[0]!) ?? []).every((c) => readsAsFloat32(c, node.output[0]!)))
      blocked.add(node);
  }

  /** Float tensors now carried in fp16: outputs of converted nodes, and (via Casts) graph inputs. */
  const half = new Set<string>();
  for (const node of graph.node)
    if (!blocked.has(node)) for (const out of node.output) if (out && isFloat(out)) half.add(out);

  const head: NodeProto[] = [];
  const tail: NodeProto[] = [];
  let casts = 0;
  const cast = (input: string, output: string, to: DataType) => {
    casts++;
    return makeNode('Cast', [input], [output], name(`${output}_Cast`), { to });
  };

  // Graph inputs: cast once at the top (or, without keepIo, retype the input itself).
  const inputRename = new Map<string, string>();
  for (const input of graph.input) {
    if (index.initializers.has(input.name) || !isFloat(input.name)) continue;
    if (keepIo) {
      const h = name(`${input.name}_fp16`);
      head.push(cast(input.name, h, DataType.FLOAT16));
      inputRename.set(input.name, h);
      half.add(h);
    } else setElemType(input.type, DataType.FLOAT16);
    half.add(input.name);
  }

  // Initializers and Constant values: fp16 where every reader takes T, a float32 copy kept where needed.
  const halfInit = convertConstants(graph.initializer, graph.node, blocked, name);

  const body: NodeProto[] = [];
  for (const node of graph.node) {
    node.input.forEach((input, slot) => {
      const renamed = inputRename.get(input);
      if (renamed) node.input[slot] = renamed;
    });
    if (blocked.has(node) || FLOAT32_SLOTS[node.opType]) {
      // float32 readers of fp16 activations get a Cast in front.
      node.input.forEach((input, slot) => {
        const fp32Slot = blocked.has(node) || FLOAT32_SLOTS[node.opType]!.includes(slot);
        if (!fp32Slot || !input || !half.has(input) || halfInit.has(input)) return;
        const f = name(`${input}_fp32`);
        body.push(cast(input, f, DataType.FLOAT));
        node.input[slot] = f;
      });
    }
    if (!blocked.has(node)) {
      if (node.opType === 'Cast' && attrInt(node, 'to', 0) === DataType.FLOAT)
        setAttribute(node, makeAttribute('to', DataType.FLOAT16));
      if (node.opType === 'Constant') convertConstantNode(node);
      body.push(node);
      continue;
    }
    body.push(node);
    // Blocked node's float outputs are fp32: cast them back for fp16 readers.
    node.output.forEach((out, slot) => {
      if (!out || !isFloat(out) || !(index.consumers.get(out)?.some((c) => !blocked.has(c)) ?? false)) return;
      const f = name(`${out}_fp32`);
      node.output[slot] = f;
      body.push(cast(f, out, DataType.FLOAT16));
      half.add(out);
      // Blocked readers take the float32 value directly rather than a Cast back from fp16.
      for (const c of index.consumers.get(out) ?? []) {
        if (blocked.has(c)) c.input.forEach((i, s) => (i === out ? (c.input[s] = f) : undefined));
      }
    });
  }

  // Graph outputs: fp16 producers get a Cast back to float32 under the output's own name.
  for (const output of graph.output) {
    if (!half.has(output.name)) continue;
    if (!keepIo) {
      setElemType(output.type, DataType.FLOAT16);
      continue;
    }
    const h = name(`${output.name}_fp16`);
    for (const node of body) {
      node.output.forEach((o, s) => {
        if (o === output.name) node.output[s] = h;
      });
      node.input.forEach((i, s) => {
        if (i === output.name) node.input[s] = h;
      });
    }
    tail.push(cast(h, output.name, DataType.FLOAT));
  }

  graph.node = [...head, ...body, ...tail];
  graph.valueInfo = []; // every float type changed; stale declarations would contradict the new graph
  return { model, blocked: [...blocked].map((n) => ({ name: n.name, op_type: n.opType })), casts };
}

/**
 * Converts float32 initializers read only as T by converted nodes to fp16; one read by both kinds of
 * node keeps a float32 copy for the float32 readers. Returns the names now holding fp16.
 */
function convertConstants(
  initializers: TensorProto[],
  nodes: NodeProto[],
  blocked: Set<NodeProto>,
  name: (b: string) => string,
): Set<string> {
  const halfNames = new Set<string>();
  const readers = new Map<string, { half: boolean; full: boolean }>();
  for (const node of nodes)
    node.input.forEach((input, slot) => {
      const r = readers.get(input) ?? { half: false, full: false };
      const full = blocked.has(node) || (FLOAT32_SLOTS[node.opType]?.includes(slot) ?? false);
      if (full) r.full = true;
      else r.half = true;
      readers.set(input, r);
    });
  const added: TensorProto[] = [];
  for (let i = 0; i < initializers.length; i++) {
    const t = initializers[i]!;
    const r = readers.get(t.name);
    if (t.dataType !== DataType.FLOAT || !r?.half) continue;
    const h = toHalf(t, r.full ? name(`${t.name}_fp16`) : t.name);
    if (r.full) {
      added.push(h);
      for (const node of nodes) {
        if (blocked.has(node)) continue;
        node.input.forEach((input, slot) => {
          if (input === t.name && !(FLOAT32_SLOTS[node.opType]?.includes(slot) ?? false)) node.input[slot] = h.name;
        });
      }
    } else initializers[i] = h;
    halfNames.add(h.name);
  }
  initializers.push(...added);
  return halfNames;
}

function toHalf(t: TensorProto, newName: string): TensorProto {
  const values = tensorToFloat32(t);
  for (let i = 0; i < values.length; i++) values[i] = Math.max(-65504, Math.min(65504, values[i]!));
  return createTensorProto(newName, DataType.FLOAT16, t.dims.map(Number), float32ArrayToFloat16Bits(values));
}

/** A Constant feeding only float32 slots (Resize scales) keeps its value; others become fp16. */
function convertConstantNode(node: NodeProto): void {
  const t = attrTensor(node, 'value');
  if (t?.dataType === DataType.FLOAT) setAttribute(node, makeAttribute('value', toHalf(t, t.name)));
}

function setElemType(type: TypeProto | undefined, elemType: DataType): void {
  if (type?.value.case === 'tensorType') type.value.value.elemType = elemType;
}
