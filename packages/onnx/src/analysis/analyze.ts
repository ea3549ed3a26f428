import { defaultOpset } from '../model/codec.js';
import { realInputs, topologicalOrder } from '../graph/graph-index.js';
import type { ModelProto } from '../proto/onnx_pb.js';
import { byteLengthOf, dataTypeName } from '../tensor/data-type.js';
import { elementCount } from '../tensor/values.js';
import { nodeMacs } from './macs.js';
import { factsFromValueInfo, inferShapes } from './shape-inference.js';
import type { Dim } from './types.js';

export interface TensorSummary {
  name: string;
  dtype: string;
  /** Symbolic dims as their names, unknown dims as null. */
  shape: Dim[] | null;
}

export interface LayerSummary {
  name: string;
  op_type: string;
  domain: string;
  inputs: string[];
  outputs: string[];
  output_shape: Dim[] | null;
  /** Elements of the initializers this node reads first (a weight shared by two nodes counts once). */
  parameters: number;
  macs: number | null;
}

export interface OpTypeSummary {
  op_type: string;
  count: number;
  parameters: number;
  macs: number;
}

export interface ModelAnalysis {
  ir_version: number;
  opsets: Record<string, number>;
  opset: number | null;
  producer: { name: string; version: string };
  inputs: TensorSummary[];
  outputs: TensorSummary[];
  parameters: { total: number; by_dtype: Record<string, number> };
  /** Bytes the initializers take once decoded (what a runtime holds in memory), by dtype. */
  weight_bytes: { total: number; by_dtype: Record<string, number> };
  /** Sum over layers; layers whose MACs are unknown are counted in `unknown_macs_layers`. */
  macs: number;
  unknown_macs_layers: number;
  /** The values symbolic dims were given for the layer shapes and MACs. */
  dims: Record<string, number>;
  layers: LayerSummary[];
  by_op_type: OpTypeSummary[];
}

export interface AnalyzeOptions {
  /** Values for symbolic input dims (`{batch: 1}`); any left unset are taken as 1 for the MAC count. */
  dims?: Record<string, number>;
}

/**
 * Parameters, weight sizes, per-layer output shapes and MACs, and totals, from the graph alone (no
 * runtime). Shapes of symbolic dims the caller does not set are taken as 1, which is what per-sample
 * MAC figures mean; the report lists the values used.
 */
export function analyzeModel(model: ModelProto, options: AnalyzeOptions = {}): ModelAnalysis {
  const graph = model.graph!;
  const dims = { ...resolveSymbolicDims(model), ...options.dims };
  const facts = inferShapes(model, { dims });
  const initializers = new Map(graph.initializer.map((t) => [t.name, t]));

  const parameters = { total: 0, by_dtype: {} as Record<string, number> };
  const weightBytes = { total: 0, by_dtype: {} as Record<string, number> };
  for (const t of graph.initializer) {
    const count = elementCount(t);
    const dtype = dataTypeName(t.dataType);
    parameters.total += count;
    parameters.by_dtype[dtype] = (parameters.by_dtype[dtype] ?? 0) + count;
    const bytes = byteLengthOf(t.dataType, count);
    weightBytes.total += bytes;
    weightBytes.by_dtype[dtype] = (weightBytes.by_dtype[dtype] ?? 0) + bytes;
  }

  const counted = new Set<string>();
  const layers: LayerSummary[] = topologicalOrder(graph).map((node) => {
    let params = 0;
    for (const input of node.input) {
      const t = initializers.get(input);
      if (!t || counted.has(input)) continue;
      counted.add(input);
      params += elementCount(t);
    }
    const inputs = node.input.map((n) => (n ? facts.get(n) : undefined));
    const outputs = node.output.map((n) => facts.get(n) ?? { dtype: 0, shape: undefined });
    return {
      name: node.name,
      op_type: node.opType,
      domain: node.domain,
      inputs: [...node.input],
      outputs: [...node.output],
      output_shape: outputs[0]?.shape ?? null,
      parameters: params,
      macs: nodeMacs(node, inputs, outputs),
    };
  });

  const byOp = new Map<string, OpTypeSummary>();
  for (const layer of layers) {
    const entry = byOp.get(layer.op_type) ?? { op_type: layer.op_type, count: 0, parameters: 0, macs: 0 };
    entry.count += 1;
    entry.parameters += layer.parameters;
    entry.macs += layer.macs ?? 0;
    byOp.set(layer.op_type, entry);
  }

  const summary = (info: (typeof graph.input)[number]): TensorSummary => {
    const f = factsFromValueInfo(info);
    return { name: info.name, dtype: dataTypeName(f.dtype), shape: f.shape ?? null };
  };
  return {
    ir_version: Number(model.irVersion),
    opsets: Object.fromEntries(model.opsetImport.map((o) => [o.domain || 'ai.onnx', Number(o.version)])),
    opset: defaultOpset(model) ?? null,
    producer: { name: model.producerName, version: model.producerVersion },
    inputs: realInputs(graph).map(summary),
    outputs: graph.output.map(summary),
    parameters,
    weight_bytes: weightBytes,
    macs: layers.reduce((sum, l) => sum + (l.macs ?? 0), 0),
    unknown_macs_layers: layers.filter((l) => l.macs === null).length,
    dims,
    layers,
    by_op_type: [...byOp.values()].sort((a, b) => b.macs - a.macs),
  };
}

/** Every symbolic dim of the real inputs, set to 1 (overridden by the caller's values). */
function resolveSymbolicDims(model: ModelProto): Record<string, number> {
  const out: Record<string, number> = {};
  for (const input of realInputs(model.graph!)) {
    for (const d of factsFromValueInfo(input).shape ?? []) if (typeof d === 'string') out[d] = 1;
  }
  return out;
}
