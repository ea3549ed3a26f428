import { topologicalOrder } from '../graph/graph-index.js';
import type { ModelProto, TypeProto, ValueInfoProto } from '../proto/onnx_pb.js';
import { DataType } from '../tensor/data-type.js';
import { elementCount, tensorToNumbers } from '../tensor/values.js';
import { SHAPE_RULES } from './shape-rules.js';
import type { Dim, ValueFacts } from './types.js';

export interface ShapeInferenceOptions {
  /** Values for symbolic dimensions (`{batch: 1, height: 224}`); others stay symbolic. */
  dims?: Record<string, number>;
}

/**
 * Static shape and dtype inference for the operators CNNs are made of (see SHAPE_RULES), with constant
 * propagation of small integer tensors so Shape→Gather→Concat→Reshape chains resolve. Operators without a
 * rule take the shapes the model declares in value_info, else stay unknown: the result is a best effort
 * for analysis, never a check of the model.
 */
export function inferShapes(model: ModelProto, options: ShapeInferenceOptions = {}): Map<string, ValueFacts> {
  const graph = model.graph!;
  const dims = options.dims ?? {};
  const facts = new Map<string, ValueFacts>();
  const declared = new Map<string, ValueFacts>();
  for (const info of [...graph.valueInfo, ...graph.output]) declared.set(info.name, factsFromValueInfo(info, dims));
  for (const input of graph.input) facts.set(input.name, factsFromValueInfo(input, dims));
  for (const t of graph.initializer) {
    const f: ValueFacts = { dtype: t.dataType, shape: t.dims.map(Number) };
    // Small 1-D constants are shapes, axes, pads or Resize scales: worth propagating. Decoding big
    // tensors would only waste memory.
    const small = t.dims.length <= 1 && elementCount(t) <= 64;
    if (small && (t.dataType === DataType.INT64 || t.dataType === DataType.INT32 || t.dataType === DataType.FLOAT)) {
      f.value = tensorToNumbers(t);
    }
    facts.set(t.name, f);
  }
  for (const node of topologicalOrder(graph)) {
    const rule = node.domain === '' || node.domain === 'ai.onnx' ? SHAPE_RULES[node.opType] : undefined;
    const inputs = node.input.map((name) => (name ? facts.get(name) : undefined));
    let outputs: ValueFacts[] = [];
    try {
      outputs = rule ? rule(node, inputs) : [];
    } catch {
      outputs = []; // a malformed attribute must not stop the analysis of the rest of the graph
    }
    node.output.forEach((name, i) => {
      if (!name) return;
      facts.set(name, merge(outputs[i], declared.get(name)));
    });
  }
  return facts;
}

/** Our inference wins where it knows a dim; the model's declared value_info fills the gaps. */
function merge(inferred: ValueFacts | undefined, declared: ValueFacts | undefined): ValueFacts {
  if (!inferred) return declared ?? { dtype: 0, shape: undefined };
  if (!declared?.shape || !inferred.shape || declared.shape.length !== inferred.shape.length) {
    return { ...inferred, dtype: inferred.dtype || (declared?.dtype ?? 0), shape: inferred.shape ?? declared?.shape };
  }
  const shape = inferred.shape.map((d, i) => (typeof d === 'number' ? d : (declared.shape![i] ?? d)));
  return { ...inferred, dtype: inferred.dtype || declared.dtype, shape };
}

export function factsFromValueInfo(info: ValueInfoProto, dims: Record<string, number> = {}): ValueFacts {
  return { dtype: elemType(info.type), shape: shapeOfType(info.type, dims) };
}

function elemType(type: TypeProto | undefined): number {
  return type?.value.case === 'tensorType' ? type.value.value.elemType : 0;
}

/** Declared dims: numbers, symbolic names (or their value from `dims`), null for anonymous dims. */
export function shapeOfType(type: TypeProto | undefined, dims: Record<string, number> = {}): Dim[] | undefined {
  if (type?.value.case !== 'tensorType' || !type.value.value.shape) return undefined;
  return type.value.value.shape.dim.map((d) => {
    if (d.value.case === 'dimValue') return Number(d.value.value);
    if (d.value.case === 'dimParam') return dims[d.value.value] ?? d.value.value;
    return null;
  });
}
