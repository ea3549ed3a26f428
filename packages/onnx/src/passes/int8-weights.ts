import { attrInt } from '../graph/attributes.js';
import { createNameAllocator, indexGraph } from '../graph/graph-index.js';
import { defaultOpset } from '../model/codec.js';
import { OxvError } from '@oxidizedvision/runtime';
import type { ModelProto, NodeProto } from '../proto/onnx_pb.js';
import { DataType } from '../tensor/data-type.js';
import { createTensorProto, tensorToFloat32 } from '../tensor/values.js';
import { makeNode } from './internal/build.js';
import { quantizeWeightsPerChannel } from './quantize-math.js';

export interface WeightOnlyOptions {
  /** Op types whose weights are stored as int8 (default MatMul and Gemm, the matrix-heavy layers). */
  opTypes?: readonly string[];
  /** Weights smaller than this many elements stay float (their DequantizeLinear costs more than it saves). */
  minElements?: number;
}

export interface WeightOnlyResult {
  model: ModelProto;
  quantized: { name: string; op_type: string; weight: string }[];
}

/**
 * Weight-only int8: constant weights become symmetric int8 per output channel, followed by a
 * DequantizeLinear; activations and arithmetic stay float, so no calibration is needed. The file shrinks
 * about 4× for the quantized weights; speed is the float model's (onnxruntime dequantizes the constant
 * weights once at load). Use it where download size matters more than latency.
 */
export function quantizeWeightsOnly(model: ModelProto, options: WeightOnlyOptions = {}): WeightOnlyResult {
  const opset = defaultOpset(model) ?? 0;
  if (opset < 13) {
    throw new OxvError(
      'ERR_QUANTIZE',
      `int8 weights need opset 13 or later (per-channel DequantizeLinear); the model has opset ${opset}`,
    );
  }
  const graph = model.graph!;
  const index = indexGraph(graph);
  const name = createNameAllocator(graph);
  const ops = new Set(options.opTypes ?? ['MatMul', 'Gemm']);
  const minElements = options.minElements ?? 256;
  const done = new Map<string, string>();
  const head: NodeProto[] = [];
  const quantized: WeightOnlyResult['quantized'] = [];
  for (const node of graph.node) {
    if (!ops.has(node.opType) || (node.domain !== '' && node.domain !== 'ai.onnx')) continue;
    const weightName = node.input[1] ?? '';
    const weight = index.initializers.get(weightName);
    if (!weight || weight.dataType !== DataType.FLOAT) continue;
    const dims = weight.dims.map(Number);
    if (dims.reduce((a, b) => a * b, 1) < minElements) continue;
    let dq = done.get(weightName);
    if (!dq) {
      const axis = outputAxis(node, dims.length);
      const q = quantizeWeightsPerChannel(tensorToFloat32(weight), dims, axis);
      const [qName, s, z] = [
        name(`${weightName}_quantized`),
        name(`${weightName}_scale`),
        name(`${weightName}_zero_point`),
      ];
      graph.initializer.push(
        createTensorProto(qName, DataType.INT8, dims, q.values),
        createTensorProto(s, DataType.FLOAT, [q.scales.length], q.scales),
        createTensorProto(z, DataType.INT8, [q.scales.length], new Int8Array(q.scales.length)),
      );
      dq = name(`${weightName}_DequantizeLinear_Output`);
      head.push(makeNode('DequantizeLinear', [qName, s, z], [dq], name(`${weightName}_DequantizeLinear`), { axis }));
      done.set(weightName, dq);
    }
    node.input[1] = dq;
    quantized.push({ name: node.name, op_type: node.opType, weight: weightName });
  }
  if (quantized.length === 0) {
    throw new OxvError(
      'ERR_QUANTIZE',
      `nothing to quantize: no float ${[...ops].join('/')} weights of ${minElements}+ elements`,
    );
  }
  graph.node = [...head, ...graph.node];
  const used = new Set(graph.node.flatMap((n) => n.input));
  graph.initializer = graph.initializer.filter((t) => used.has(t.name) || graph.output.some((o) => o.name === t.name));
  return { model, quantized };
}

function outputAxis(node: NodeProto, rank: number): number {
  if (node.opType === 'Gemm') return attrInt(node, 'transB', 0) ? 0 : 1;
  if (node.opType === 'MatMul') return rank - 1;
  if (node.opType === 'ConvTranspose') return attrInt(node, 'group', 1) === 1 ? 1 : 0;
  return 0;
}
