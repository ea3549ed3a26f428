import { OxvError } from '@oxidizedvision/runtime';
import { inferShapes } from '../analysis/shape-inference.js';
import { attrFloat, attrInt } from '../graph/attributes.js';
import { createNameAllocator, indexGraph, type GraphIndex } from '../graph/graph-index.js';
import { defaultOpset } from '../model/codec.js';
import type { ModelProto, NodeProto, TensorProto } from '../proto/onnx_pb.js';
import { DataType } from '../tensor/data-type.js';
import { createTensorProto, tensorToFloat32, tensorToNumbers } from '../tensor/values.js';
import { makeNode, scalarFloat } from './internal/build.js';
import { activationParams, quantizeBias, quantizeWeightsPerChannel } from './quantize-math.js';

export interface TensorRange {
  min: number;
  max: number;
}

export interface QdqOptions {
  /** Calibrated activation ranges by tensor name (see the calibration collectors). */
  ranges: ReadonlyMap<string, TensorRange>;
  /** Node names to leave in float. */
  excludeNodes?: readonly string[];
}

export interface KeptFloat {
  name: string;
  op_type: string;
  reason: string;
}

export interface QdqResult {
  model: ModelProto;
  /** Nodes now between DequantizeLinear inputs (and a QuantizeLinear output): what onnxruntime can fuse. */
  quantized: { name: string; op_type: string }[];
  /** Compute nodes left in float, and why. */
  keptFloat: KeptFloat[];
  /** ReLU/Clip nodes folded into the quantized output range of their producer. */
  foldedActivations: string[];
}

/** Ops with constant weights: per-channel int8 weights, int32 bias, QDQ on the activation in and out. */
const WEIGHTED: Record<string, { weight: number; bias: number | null }> = {
  Conv: { weight: 1, bias: 2 },
  ConvTranspose: { weight: 1, bias: 2 },
  Gemm: { weight: 1, bias: 2 },
  MatMul: { weight: 1, bias: null },
};
/** Activation-only ops onnxruntime runs in int8 when their inputs and output are QDQ'd (QLinearAdd…). */
const OWN_SCALE = new Set(['Add', 'Mul', 'Concat', 'GlobalAveragePool', 'AveragePool', 'Sigmoid', 'LeakyRelu']);
/** Data movement: int8 only when the output shares the input's scale, so it takes the input's range. */
const SAME_SCALE = new Set([
  'MaxPool',
  'Reshape',
  'Flatten',
  'Transpose',
  'Squeeze',
  'Unsqueeze',
  'Resize',
  'Split',
  'Slice',
]);
/** Ops that move no float data or only compute shapes: never worth reporting as "kept in float". */
const SILENT = new Set([
  'Shape',
  'Constant',
  'ConstantOfShape',
  'Gather',
  'Cast',
  'Identity',
  'Dropout',
  'Range',
  'Size',
  'NonZero',
  'Equal',
  'Where',
  'Expand',
]);

/**
 * Static int8 quantization in QDQ form, the layout onnxruntime's CPU provider fuses into QLinearConv,
 * QGemm, QLinearAdd… at session load: uint8 activations (asymmetric, from calibrated ranges), symmetric
 * int8 per-channel weights, and int32 biases whose scale is input scale × weight scale. Measured here,
 * this exact recipe is what makes ORT fuse: int8 activations (S8S8) or float biases left most Convs in
 * float. A ReLU (or Clip from 0) after a quantized node is folded into that node's output range, as
 * onnxruntime's own quantizer does. Run it on a graph onnxruntime's basic level has already folded
 * (BatchNorm into Conv, Identity nodes removed), or unfused BN/Identity nodes will stay float between
 * the Q/DQ pairs. Needs opset ≥ 13 (per-channel DequantizeLinear).
 */
export function quantizeQdq(model: ModelProto, options: QdqOptions): QdqResult {
  const opset = defaultOpset(model) ?? 0;
  if (opset < 13) {
    throw new OxvError(
      'ERR_QUANTIZE',
      `int8 QDQ needs opset 13 or later (per-channel DequantizeLinear); the model has opset ${opset}`,
      {
        hint: 'convert again with export.opset_version: 13 or later',
      },
    );
  }
  const graph = model.graph!;
  const index = indexGraph(graph);
  const facts = inferShapes(model);
  const isFloat = (name: string) => facts.get(name)?.dtype === DataType.FLOAT && !index.initializers.has(name);
  const excluded = new Set(options.excludeNodes ?? []);
  const ranges = new Map(options.ranges);
  const keptFloat: KeptFloat[] = [];
  const quantizedNodes = new Set<NodeProto>();

  for (const node of graph.node) {
    const reason = quantizability(node, index, ranges, isFloat, excluded);
    if (reason === null) {
      quantizedNodes.add(node);
      // Same-scale ops pass their input's quantization through unchanged.
      if (SAME_SCALE.has(node.opType))
        for (const out of node.output) if (out) ranges.set(out, ranges.get(node.input[0]!)!);
    } else if (!SILENT.has(node.opType) && node.output.some(isFloat)) {
      keptFloat.push({ name: node.name, op_type: node.opType, reason });
    }
  }
  if (![...quantizedNodes].some((n) => n.opType in WEIGHTED)) {
    throw new OxvError(
      'ERR_QUANTIZE',
      'nothing to quantize: the model has no float Conv, ConvTranspose, Gemm or MatMul with constant weights',
      {
        hint: 'use --quantize fp16 for this model',
      },
    );
  }

  const folded = foldActivations(graph.node, quantizedNodes, index, ranges);
  const foldedSet = new Set(folded);
  for (let i = keptFloat.length - 1; i >= 0; i--) if (foldedSet.has(keptFloat[i]!.name)) keptFloat.splice(i, 1);
  const fresh = indexGraph(graph);
  const name = createNameAllocator(graph);
  const newInitializers: TensorProto[] = [];
  const head: NodeProto[] = [];
  const after = new Map<string, NodeProto[]>();

  // Activations: every float tensor in or out of a quantized node, except graph outputs (callers get float).
  const qdqTensors = new Set<string>();
  for (const node of quantizedNodes) {
    const dataSlot = activationSlots(node);
    node.input.forEach((input, slot) => {
      if (input && dataSlot(slot) && isFloat(input)) qdqTensors.add(input);
    });
    for (const out of node.output) if (out && !fresh.graphOutputs.has(out) && isFloat(out)) qdqTensors.add(out);
  }
  const dqName = new Map<string, string>();
  const originalOf = new Map<string, string>();
  for (const tensor of qdqTensors) {
    const range = ranges.get(tensor);
    if (!range) continue;
    const { scale, zeroPoint } = activationParams(range.min, range.max);
    const s = name(`${tensor}_scale`);
    const z = name(`${tensor}_zero_point`);
    newInitializers.push(scalarFloat(s, scale), createTensorProto(z, DataType.UINT8, [], Uint8Array.of(zeroPoint)));
    const q = name(`${tensor}_QuantizeLinear_Output`);
    const dq = name(`${tensor}_DequantizeLinear_Output`);
    const pair = [
      makeNode('QuantizeLinear', [tensor, s, z], [q], name(`${tensor}_QuantizeLinear`)),
      makeNode('DequantizeLinear', [q, s, z], [dq], name(`${tensor}_DequantizeLinear`)),
    ];
    const producer = fresh.producer.get(tensor);
    if (producer) after.set(producer.output[0]!, [...(after.get(producer.output[0]!) ?? []), ...pair]);
    else head.push(...pair);
    dqName.set(tensor, dq);
    originalOf.set(dq, tensor);
  }
  for (const node of graph.node)
    node.input.forEach((input, slot) => {
      const dq = dqName.get(input);
      if (dq) node.input[slot] = dq;
    });

  // Weights and biases of weighted nodes.
  const quantizedWeights = new Map<string, { dq: string; scales: Float32Array }>();
  for (const node of quantizedNodes) {
    const spec = WEIGHTED[node.opType];
    if (!spec) continue;
    const weightName = node.input[spec.weight]!;
    const weight = index.initializers.get(weightName);
    if (!weight) continue; // MatMul of two activations: both went through QDQ above
    const axis = weightAxis(node, weight);
    let entry = quantizedWeights.get(weightName);
    if (!entry) {
      const q = quantizeWeightsPerChannel(tensorToFloat32(weight), weight.dims.map(Number), axis);
      const qName = name(`${weightName}_quantized`);
      const s = name(`${weightName}_scale`);
      const z = name(`${weightName}_zero_point`);
      const channels = q.scales.length;
      newInitializers.push(
        createTensorProto(qName, DataType.INT8, weight.dims.map(Number), q.values),
        createTensorProto(s, DataType.FLOAT, [channels], q.scales),
        createTensorProto(z, DataType.INT8, [channels], new Int8Array(channels)),
      );
      const dq = name(`${weightName}_DequantizeLinear_Output`);
      head.push(makeNode('DequantizeLinear', [qName, s, z], [dq], name(`${weightName}_DequantizeLinear`), { axis }));
      entry = { dq, scales: q.scales };
      quantizedWeights.set(weightName, entry);
    }
    node.input[spec.weight] = entry.dq;
    const input = node.input[0]!;
    const inputRange = ranges.get(originalOf.get(input) ?? input);
    quantizeBiasInput(node, spec.bias, entry.scales, inputRange, index, name, newInitializers, head);
  }

  graph.node = [...head, ...graph.node.flatMap((n) => [n, ...(after.get(n.output[0] ?? '') ?? [])])];
  graph.initializer.push(...newInitializers);
  pruneUnusedInitializers(model);
  return {
    model,
    quantized: [...quantizedNodes].map((n) => ({ name: n.name, op_type: n.opType })),
    keptFloat,
    foldedActivations: folded,
  };
}

/** null when the node can be quantized, else the reason it stays float. */
function quantizability(
  node: NodeProto,
  index: GraphIndex,
  ranges: ReadonlyMap<string, TensorRange>,
  isFloat: (name: string) => boolean,
  excluded: ReadonlySet<string>,
): string | null {
  if (node.domain !== '' && node.domain !== 'ai.onnx') return `custom domain ${node.domain}`;
  if (excluded.has(node.name)) return 'excluded by request';
  const weighted = WEIGHTED[node.opType];
  if (!weighted && !OWN_SCALE.has(node.opType) && !SAME_SCALE.has(node.opType))
    return `no int8 ${node.opType} kernel in onnxruntime's QDQ fusions`;
  if (weighted) {
    const w = node.input[weighted.weight] ?? '';
    const init = index.initializers.get(w);
    if (init && init.dataType !== DataType.FLOAT) return 'weights are not float32';
    if (!init && node.opType !== 'MatMul') return 'weights are not a constant initializer';
    if (node.opType === 'Gemm' && attrInt(node, 'transA', 0) !== 0) return 'Gemm with transA';
  }
  const dataSlots = activationSlots(node);
  const activations = node.input.filter((input, slot) => input && dataSlots(slot) && !index.initializers.has(input));
  if (activations.length === 0) return 'no activation input';
  if (OWN_SCALE.has(node.opType) && node.input.some((input) => index.initializers.has(input))) {
    return 'a constant operand (onnxruntime fuses only activation × activation)';
  }
  if (!activations.every(isFloat)) return 'input is not float32';
  const missing = activations.find((a) => !ranges.has(a));
  if (missing) return `no calibration range for "${missing}"`;
  if (!weighted && !SAME_SCALE.has(node.opType) && node.output.some((o) => !ranges.has(o)))
    return 'no calibration range for its output';
  return null;
}

/**
 * Which input slots carry quantizable data: not weights and biases (quantized on their own), and for
 * data-movement ops only the data (slot 0), not shapes, axes, Resize scales or roi.
 */
function activationSlots(node: NodeProto): (slot: number) => boolean {
  const spec = WEIGHTED[node.opType];
  if (spec) return (slot) => slot !== spec.weight && slot !== spec.bias;
  if (SAME_SCALE.has(node.opType)) return (slot) => slot === 0;
  return () => true;
}

/** Output-channel axis of a weight: Conv [M, C/g, k…] 0; ConvTranspose [C, M/g, k…] 1; Gemm 0 or 1 by transB; MatMul [K, N] 1. */
function weightAxis(node: NodeProto, weight: TensorProto): number {
  switch (node.opType) {
    case 'ConvTranspose':
      return attrInt(node, 'group', 1) === 1 ? 1 : 0;
    case 'Gemm':
      return attrInt(node, 'transB', 0) ? 0 : 1;
    case 'MatMul':
      return weight.dims.length - 1;
    default:
      return 0;
  }
}

function quantizeBiasInput(
  node: NodeProto,
  slot: number | null,
  weightScales: Float32Array,
  range: TensorRange | undefined,
  index: GraphIndex,
  name: (base: string) => string,
  initializers: TensorProto[],
  head: NodeProto[],
): void {
  if (slot === null) return;
  const biasName = node.input[slot];
  const bias = biasName ? index.initializers.get(biasName) : undefined;
  if (!bias || bias.dataType !== DataType.FLOAT || bias.dims.length !== 1) return;
  if (node.opType === 'Gemm' && (attrFloat(node, 'alpha', 1) !== 1 || attrFloat(node, 'beta', 1) !== 1)) return;
  const values = tensorToFloat32(bias);
  if (weightScales.length !== 1 && weightScales.length !== values.length) return;
  if (!range) return;
  const { scale } = activationParams(range.min, range.max);
  const q = quantizeBias(values, Math.fround(scale), weightScales);
  const qName = name(`${biasName}_quantized`);
  const s = name(`${biasName}_scale`);
  const z = name(`${biasName}_zero_point`);
  initializers.push(
    createTensorProto(qName, DataType.INT32, [values.length], q.values),
    createTensorProto(s, DataType.FLOAT, [values.length], q.scales),
    createTensorProto(z, DataType.INT32, [values.length], new Int32Array(values.length)),
  );
  const dq = name(`${biasName}_DequantizeLinear_Output`);
  head.push(makeNode('DequantizeLinear', [qName, s, z], [dq], name(`${biasName}_DequantizeLinear`), { axis: 0 }));
  node.input[slot] = dq;
}

/**
 * Removes a ReLU, or a Clip whose lower bound is 0, that is the only consumer of a quantized node's
 * output: the producer then writes the activation's output directly, and the uint8 range of that tensor
 * (min 0, zero point 0) does the clamping.
 */
function foldActivations(
  nodes: NodeProto[],
  quantized: Set<NodeProto>,
  index: GraphIndex,
  ranges: ReadonlyMap<string, TensorRange>,
): string[] {
  const folded: string[] = [];
  const removed = new Set<NodeProto>();
  for (const act of nodes) {
    if (act.opType !== 'Relu' && !(act.opType === 'Clip' && clipsAtZero(act, index))) continue;
    const input = act.input[0]!;
    const producer = index.producer.get(input);
    if (!producer || !quantized.has(producer) || !(producer.opType in WEIGHTED || producer.opType === 'Add')) continue;
    if ((index.consumers.get(input) ?? []).length !== 1 || index.graphOutputs.has(input)) continue;
    if (!ranges.has(act.output[0]!) || index.graphOutputs.has(act.output[0]!)) continue;
    producer.output[producer.output.indexOf(input)] = act.output[0]!;
    removed.add(act);
    folded.push(act.name);
  }
  const kept = nodes.filter((n) => !removed.has(n));
  nodes.length = 0;
  nodes.push(...kept);
  return folded;
}

function clipsAtZero(node: NodeProto, index: GraphIndex): boolean {
  const minName = node.input[1];
  if (minName) {
    const t = index.initializers.get(minName);
    return t !== undefined && tensorToNumbers(t)[0] === 0;
  }
  return attrFloat(node, 'min', -Infinity) === 0;
}

function pruneUnusedInitializers(model: ModelProto): void {
  const graph = model.graph!;
  const used = new Set(graph.node.flatMap((n) => n.input));
  for (const o of graph.output) used.add(o.name);
  graph.initializer = graph.initializer.filter((t) => used.has(t.name));
  const inits = new Set(graph.initializer.map((t) => t.name));
  graph.input = graph.input.filter((i) => !i.name || !inits.has(i.name) || used.has(i.name));
}
