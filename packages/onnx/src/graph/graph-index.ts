import type { GraphProto, NodeProto, TensorProto, ValueInfoProto } from '../proto/onnx_pb.js';

/** Lookups over one graph, built once per pass. Rebuild it after editing the graph. */
export interface GraphIndex {
  graph: GraphProto;
  /** Node that writes each tensor (graph inputs and initializers have none). */
  producer: Map<string, NodeProto>;
  /** Nodes reading each tensor, in graph order, a node once per input slot it uses the tensor in. */
  consumers: Map<string, NodeProto[]>;
  initializers: Map<string, TensorProto>;
  /** Declared types: graph inputs, outputs and value_info. */
  valueInfo: Map<string, ValueInfoProto>;
  graphInputs: Set<string>;
  graphOutputs: Set<string>;
}

export function indexGraph(graph: GraphProto): GraphIndex {
  const producer = new Map<string, NodeProto>();
  const consumers = new Map<string, NodeProto[]>();
  for (const node of graph.node) {
    for (const output of node.output) if (output) producer.set(output, node);
    for (const input of node.input) {
      if (!input) continue;
      const list = consumers.get(input);
      if (list) list.push(node);
      else consumers.set(input, [node]);
    }
  }
  const valueInfo = new Map<string, ValueInfoProto>();
  for (const info of [...graph.valueInfo, ...graph.input, ...graph.output]) valueInfo.set(info.name, info);
  return {
    graph,
    producer,
    consumers,
    initializers: new Map(graph.initializer.map((t) => [t.name, t])),
    valueInfo,
    graphInputs: new Set(graph.input.map((i) => i.name)),
    graphOutputs: new Set(graph.output.map((o) => o.name)),
  };
}

/**
 * Graph inputs that are real inputs: older exporters (IR < 4) also list every initializer as a graph
 * input, and those are weights, not something a caller feeds.
 */
export function realInputs(graph: GraphProto): ValueInfoProto[] {
  const weights = new Set(graph.initializer.map((t) => t.name));
  return graph.input.filter((i) => !weights.has(i.name));
}

/**
 * Nodes in an order where every node comes after the producers of its inputs (Kahn's algorithm, stable
 * for graphs already sorted, as valid ONNX graphs are). Throws on a cycle.
 */
export function topologicalOrder(graph: GraphProto): NodeProto[] {
  const index = indexGraph(graph);
  const pending = new Map<NodeProto, number>();
  for (const node of graph.node) {
    const deps = new Set(node.input.filter((i) => i && index.producer.has(i)).map((i) => index.producer.get(i)!));
    pending.set(node, deps.size);
  }
  const ready = graph.node.filter((n) => pending.get(n) === 0);
  const order: NodeProto[] = [];
  for (let i = 0; i < ready.length; i++) {
    const node = ready[i]!;
    order.push(node);
    const next = new Set<NodeProto>();
    for (const output of node.output) for (const consumer of index.consumers.get(output) ?? []) next.add(consumer);
    for (const consumer of next) {
      const left = pending.get(consumer)! - 1;
      pending.set(consumer, left);
      if (left === 0) ready.push(consumer);
    }
  }
  if (order.length !== graph.node.length) throw new Error('the graph has a cycle');
  return order;
}

/** Names not used by any tensor or node yet, derived from `base` (`base`, `base_1`, …). */
export function createNameAllocator(graph: GraphProto): (base: string) => string {
  const used = new Set<string>();
  for (const t of graph.initializer) used.add(t.name);
  for (const v of [...graph.input, ...graph.output, ...graph.valueInfo]) used.add(v.name);
  for (const n of graph.node) {
    used.add(n.name);
    for (const x of [...n.input, ...n.output]) used.add(x);
  }
  return (base) => {
    let name = base;
    for (let i = 1; used.has(name); i++) name = `${base}_${i}`;
    used.add(name);
    return name;
  };
}
