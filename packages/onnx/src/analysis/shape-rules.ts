import { attrInt, attrInts, attrTensor } from '../graph/attributes.js';
import type { NodeProto } from '../proto/onnx_pb.js';
import { DataType } from '../tensor/data-type.js';
import { tensorToNumbers } from '../tensor/values.js';
import { ELEMENTWISE_UNARY } from './op-groups.js';
import {
  broadcastShapes,
  convOutputDims,
  convTransposeOutputDims,
  normaliseAxis,
  spatialParams,
} from './shape-rules-spatial.js';
import { isStatic, product, type Dim, type ValueFacts } from './types.js';

/** A rule gets the facts about a node's inputs (undefined for a missing optional input) and returns its outputs'. */
export type ShapeRule = (node: NodeProto, inputs: (ValueFacts | undefined)[]) => ValueFacts[];

const same: ShapeRule = (_node, [x]) => [{ dtype: x?.dtype ?? 0, shape: x?.shape }];
const withType = (dtype: number, facts: ValueFacts | undefined): ValueFacts => ({ dtype, shape: facts?.shape });

const broadcast: ShapeRule = (_node, inputs) => {
  const shapes = inputs.filter((i): i is ValueFacts => i !== undefined).map((i) => i.shape);
  const first = inputs.find((i) => i !== undefined);
  return [{ dtype: first?.dtype ?? 0, shape: shapes.every(Boolean) ? broadcastShapes(shapes as Dim[][]) : undefined }];
};

const compare: ShapeRule = (node, inputs) => [{ ...broadcast(node, inputs)[0]!, dtype: DataType.BOOL }];

/** Elementwise integer arithmetic on constant shape values (Shape → Gather → Mul → Concat → Reshape chains). */
function arithmetic(op: (a: number, b: number) => number): ShapeRule {
  return (node, inputs) => {
    const [out] = broadcast(node, inputs);
    const [a, b] = inputs;
    if (a?.value && b?.value && (a.value.length === b.value.length || a.value.length === 1 || b.value.length === 1)) {
      const n = Math.max(a.value.length, b.value.length);
      out!.value = Array.from({ length: n }, (_, i) =>
        op(a.value![a.value!.length === 1 ? 0 : i]!, b.value![b.value!.length === 1 ? 0 : i]!),
      );
    }
    return [out!];
  };
}

const conv: ShapeRule = (node, [x, w]) => {
  if (!x?.shape || !w?.shape || !isStatic(w.shape)) return [{ dtype: x?.dtype ?? 0, shape: undefined }];
  const p = spatialParams(node, attrInts(node, 'kernel_shape') ?? w.shape.slice(2));
  return [{ dtype: x.dtype, shape: [x.shape[0] ?? null, w.shape[0]!, ...convOutputDims(x.shape.slice(2), p)] }];
};

const convTranspose: ShapeRule = (node, [x, w]) => {
  if (!x?.shape || !w?.shape || !isStatic(w.shape)) return [{ dtype: x?.dtype ?? 0, shape: undefined }];
  const p = spatialParams(node, attrInts(node, 'kernel_shape') ?? w.shape.slice(2));
  const channels = w.shape[1]! * attrInt(node, 'group', 1);
  return [
    { dtype: x.dtype, shape: [x.shape[0] ?? null, channels, ...convTransposeOutputDims(x.shape.slice(2), p, node)] },
  ];
};

const pool: ShapeRule = (node, [x]) => {
  if (!x?.shape) return [{ dtype: x?.dtype ?? 0, shape: undefined }];
  const p = spatialParams(node, attrInts(node, 'kernel_shape') ?? []);
  const shape = [x.shape[0] ?? null, x.shape[1] ?? null, ...convOutputDims(x.shape.slice(2), p)];
  return [
    { dtype: x.dtype, shape },
    { dtype: DataType.INT64, shape },
  ];
};

const globalPool: ShapeRule = (_node, [x]) => [
  { dtype: x?.dtype ?? 0, shape: x?.shape ? [...x.shape.slice(0, 2), ...x.shape.slice(2).map(() => 1)] : undefined },
];

const gemm: ShapeRule = (node, [a, b]) => {
  if (!a?.shape || !b?.shape) return [{ dtype: a?.dtype ?? 0, shape: undefined }];
  const m = attrInt(node, 'transA', 0) ? a.shape[1] : a.shape[0];
  const n = attrInt(node, 'transB', 0) ? b.shape[0] : b.shape[1];
  return [{ dtype: a.dtype, shape: [m ?? null, n ?? null] }];
};

const matmul: ShapeRule = (_node, [a, b]) => {
  if (!a?.shape || !b?.shape) return [{ dtype: a?.dtype ?? 0, shape: undefined }];
  const sa = a.shape.length === 1 ? [1, a.shape[0]!] : a.shape;
  const sb = b.shape.length === 1 ? [b.shape[0]!, 1] : b.shape;
  const batch = broadcastShapes([sa.slice(0, -2), sb.slice(0, -2)]);
  const shape = [
    ...batch,
    ...(a.shape.length === 1 ? [] : [sa.at(-2)!]),
    ...(b.shape.length === 1 ? [] : [sb.at(-1)!]),
  ];
  return [{ dtype: a.dtype, shape }];
};

const flatten: ShapeRule = (node, [x]) => {
  if (!x?.shape) return [{ dtype: x?.dtype ?? 0, shape: undefined }];
  const axis = normaliseAxis(attrInt(node, 'axis', 1), x.shape.length);
  const outer = x.shape.slice(0, axis);
  const inner = x.shape.slice(axis);
  const dim = (dims: Dim[]): Dim => (isStatic(dims) ? product(dims) : dims.length === 1 ? dims[0]! : null);
  return [{ dtype: x.dtype, shape: [dim(outer), dim(inner)] }];
};

const reshape: ShapeRule = (node, [x, shape]) => {
  const target = shape?.value ?? attrInts(node, 'shape');
  if (!x || !target) return [{ dtype: x?.dtype ?? 0, shape: undefined }];
  const allowZero = attrInt(node, 'allowzero', 0) === 1;
  const out: Dim[] = target.map((d, i) => (d === 0 && !allowZero ? (x.shape?.[i] ?? null) : d));
  const inferred = out.indexOf(-1);
  if (inferred >= 0) {
    const known = out.filter((d, i) => i !== inferred);
    out[inferred] = x.shape && isStatic(x.shape) && isStatic(known) ? product(x.shape) / product(known) : null;
  }
  return [{ dtype: x.dtype, shape: out, ...(x.value ? { value: x.value } : {}) }];
};

const transpose: ShapeRule = (node, [x]) => {
  if (!x?.shape) return [{ dtype: x?.dtype ?? 0, shape: undefined }];
  const perm = attrInts(node, 'perm') ?? x.shape.map((_, i) => x.shape!.length - 1 - i);
  return [{ dtype: x.dtype, shape: perm.map((p) => x.shape![p] ?? null) }];
};

const concat: ShapeRule = (node, inputs) => {
  const present = inputs.filter((i): i is ValueFacts => i !== undefined);
  const first = present[0];
  if (!first?.shape || present.some((i) => !i.shape)) return [{ dtype: first?.dtype ?? 0, shape: undefined }];
  const axis = normaliseAxis(attrInt(node, 'axis', 0), first.shape.length);
  const sizes = present.map((i) => i.shape![axis]);
  const shape = [...first.shape];
  shape[axis] = sizes.every((s) => typeof s === 'number') ? (sizes as number[]).reduce((a, b) => a + b, 0) : null;
  const values = present.map((i) => i.value);
  return [{ dtype: first.dtype, shape, ...(values.every(Boolean) ? { value: values.flat() as number[] } : {}) }];
};

const resize: ShapeRule = (_node, inputs) => {
  const [x, , scales, sizes] = inputs;
  if (!x?.shape) return [{ dtype: x?.dtype ?? 0, shape: undefined }];
  if (sizes?.value?.length) return [{ dtype: x.dtype, shape: sizes.value }];
  if (scales?.value?.length) {
    return [
      {
        dtype: x.dtype,
        shape: x.shape.map((d, i) => (typeof d === 'number' ? Math.floor(d * scales.value![i]!) : null)),
      },
    ];
  }
  return [{ dtype: x.dtype, shape: x.shape.map(() => null) }];
};

/** Squeeze/Unsqueeze/Reduce*: axes come from an attribute (older opsets) or the second input (newer). */
function axesOf(node: NodeProto, input: ValueFacts | undefined): number[] | undefined {
  return attrInts(node, 'axes') ?? input?.value;
}

const unsqueeze: ShapeRule = (node, [x, axesInput]) => {
  const axes = axesOf(node, axesInput);
  if (!x?.shape || !axes) return [{ dtype: x?.dtype ?? 0, shape: undefined }];
  const rank = x.shape.length + axes.length;
  const set = new Set(axes.map((a) => normaliseAxis(a, rank)));
  const rest = [...x.shape];
  const shape = Array.from({ length: rank }, (_, i) => (set.has(i) ? 1 : (rest.shift() ?? null)));
  return [{ dtype: x.dtype, shape, ...(x.value ? { value: x.value } : {}) }];
};

const squeeze: ShapeRule = (node, [x, axesInput]) => {
  if (!x?.shape) return [{ dtype: x?.dtype ?? 0, shape: undefined }];
  const axes = axesOf(node, axesInput)?.map((a) => normaliseAxis(a, x.shape!.length));
  const shape = x.shape.filter((d, i) => (axes ? !axes.includes(i) : d !== 1));
  return [{ dtype: x.dtype, shape, ...(x.value ? { value: x.value } : {}) }];
};

const reduce: ShapeRule = (node, [x, axesInput]) => {
  if (!x?.shape) return [{ dtype: x?.dtype ?? 0, shape: undefined }];
  const keep = attrInt(node, 'keepdims', 1) === 1;
  const axes = (axesOf(node, axesInput) ?? x.shape.map((_, i) => i)).map((a) => normaliseAxis(a, x.shape!.length));
  const shape = x.shape.flatMap((d, i) => (axes.includes(i) ? (keep ? [1] : []) : [d]));
  return [{ dtype: x.dtype, shape }];
};

const shapeOp: ShapeRule = (node, [x]) => {
  if (!x?.shape) return [{ dtype: DataType.INT64, shape: [null] }];
  const start = normaliseAxis(attrInt(node, 'start', 0), x.shape.length);
  const end = normaliseAxis(attrInt(node, 'end', x.shape.length), x.shape.length);
  const dims = x.shape.slice(start, end);
  return [{ dtype: DataType.INT64, shape: [dims.length], ...(isStatic(dims) ? { value: dims } : {}) }];
};

const gather: ShapeRule = (node, [x, indices]) => {
  if (!x?.shape || !indices?.shape) return [{ dtype: x?.dtype ?? 0, shape: undefined }];
  const axis = normaliseAxis(attrInt(node, 'axis', 0), x.shape.length);
  const shape = [...x.shape.slice(0, axis), ...indices.shape, ...x.shape.slice(axis + 1)];
  const out: ValueFacts = { dtype: x.dtype, shape };
  if (x.value && indices.value && x.shape.length === 1)
    out.value = indices.value.map((i) => x.value![i < 0 ? i + x.value!.length : i]!);
  return [out];
};

/** GatherElements: the indices' shape, the data's type. */
const gatherElements: ShapeRule = (_node, [x, indices]) => [{ dtype: x?.dtype ?? 0, shape: indices?.shape }];

/** TopK: values of the input's type and int64 indices, `k` along the axis (when k is a constant). */
const topK: ShapeRule = (node, [x, k]) => {
  let shape: Dim[] | undefined;
  if (x?.shape) {
    const axis = normaliseAxis(attrInt(node, 'axis', -1), x.shape.length);
    shape = [...x.shape];
    shape[axis] = k?.value?.length === 1 ? k.value[0]! : null;
  }
  return [
    { dtype: x?.dtype ?? 0, shape },
    { dtype: DataType.INT64, shape },
  ];
};

/** NonZero: int64 coordinates, [rank of the input, how many are nonzero]. */
const nonZero: ShapeRule = (_node, [x]) => [
  { dtype: DataType.INT64, shape: x?.shape ? [x.shape.length, null] : undefined },
];

const slice: ShapeRule = (node, inputs) => {
  const [x, startsIn, endsIn, axesIn, stepsIn] = inputs;
  const starts = startsIn?.value ?? attrInts(node, 'starts');
  const ends = endsIn?.value ?? attrInts(node, 'ends');
  if (!x?.shape || !starts || !ends) return [{ dtype: x?.dtype ?? 0, shape: x?.shape?.map(() => null) }];
  const axes = (axesIn?.value ?? attrInts(node, 'axes') ?? starts.map((_, i) => i)).map((a) =>
    normaliseAxis(a, x.shape!.length),
  );
  const steps = stepsIn?.value ?? starts.map(() => 1);
  const shape = [...x.shape];
  axes.forEach((axis, i) => {
    const size = shape[axis];
    if (typeof size !== 'number') return void (shape[axis] = null);
    const clamp = (v: number, lo: number, hi: number) => Math.min(Math.max(v, lo), hi);
    const step = steps[i]!;
    const norm = (v: number) => (v < 0 ? v + size : v);
    const [lo, hi] = step > 0 ? [0, size] : [-1, size - 1];
    const s = clamp(norm(starts[i]!), lo, hi);
    const e = clamp(norm(ends[i]!), lo, hi);
    shape[axis] = Math.max(0, Math.ceil((e - s) / step));
  });
  const out: ValueFacts = { dtype: x.dtype, shape };
  if (x.value && x.shape.length === 1 && axes.length === 1 && steps[0] === 1) {
    const n = x.value.length;
    const norm = (v: number) => Math.min(Math.max(v < 0 ? v + n : v, 0), n);
    out.value = x.value.slice(norm(starts[0]!), norm(ends[0]!));
  }
  return [out];
};

const cast: ShapeRule = (node, [x]) => [
  { ...withType(attrInt(node, 'to', 0), x), ...(x?.value ? { value: x.value } : {}) },
];

const constant: ShapeRule = (node) => {
  const t = attrTensor(node, 'value');
  if (t) {
    const facts: ValueFacts = { dtype: t.dataType, shape: t.dims.map(Number) };
    // Small 1-D constants are shapes, axes, pads or Resize scales: worth propagating.
    const small = t.dims.length <= 1 && t.dims.reduce((a, b) => a * Number(b), 1) <= 64;
    if (small && (t.dataType === DataType.INT64 || t.dataType === DataType.INT32 || t.dataType === DataType.FLOAT)) {
      facts.value = tensorToNumbers(t);
    }
    return [facts];
  }
  const ints = attrInts(node, 'value_ints');
  if (ints) return [{ dtype: DataType.INT64, shape: [ints.length], value: ints }];
  const int = node.attribute.find((a) => a.name === 'value_int');
  if (int) return [{ dtype: DataType.INT64, shape: [], value: [Number(int.i)] }];
  return [{ dtype: DataType.FLOAT, shape: undefined }];
};

const split: ShapeRule = (node, [x, splitIn]) => {
  const count = node.output.length;
  if (!x?.shape) return Array.from({ length: count }, () => ({ dtype: x?.dtype ?? 0, shape: undefined }));
  const axis = normaliseAxis(attrInt(node, 'axis', 0), x.shape.length);
  const size = x.shape[axis];
  const parts =
    splitIn?.value ??
    attrInts(node, 'split') ??
    (typeof size === 'number' ? Array<number>(count).fill(Math.ceil(size / count)) : undefined);
  return Array.from({ length: count }, (_, i) => {
    const shape = [...x.shape!];
    shape[axis] = parts?.[i] ?? null;
    return { dtype: x.dtype, shape };
  });
};

const pad: ShapeRule = (node, [x, padsIn]) => {
  const pads = padsIn?.value ?? attrInts(node, 'pads');
  if (!x?.shape || !pads) return [{ dtype: x?.dtype ?? 0, shape: x?.shape?.map(() => null) }];
  const rank = x.shape.length;
  return [
    { dtype: x.dtype, shape: x.shape.map((d, i) => (typeof d === 'number' ? d + pads[i]! + pads[i + rank]! : null)) },
  ];
};

const expandOrTile =
  (tile: boolean): ShapeRule =>
  (_node, [x, s]) => {
    if (!x?.shape || !s?.value) return [{ dtype: x?.dtype ?? 0, shape: undefined }];
    if (tile)
      return [{ dtype: x.dtype, shape: x.shape.map((d, i) => (typeof d === 'number' ? d * s.value![i]! : null)) }];
    return [{ dtype: x.dtype, shape: broadcastShapes([x.shape, s.value]) }];
  };

const quantize: ShapeRule = (_node, [x, , zeroPoint]) => [withType(zeroPoint?.dtype ?? DataType.UINT8, x)];
const dequantize: ShapeRule = (_node, [x, scale]) => [withType(scale?.dtype ?? DataType.FLOAT, x)];
const constantOfShape: ShapeRule = (node, [s]) => [
  { dtype: attrTensor(node, 'value')?.dataType ?? DataType.FLOAT, shape: s?.value },
];
const toInt64 =
  (rule: ShapeRule): ShapeRule =>
  (node, inputs) =>
    rule(node, inputs).map((f) => ({ ...f, dtype: DataType.INT64 }));

const UNARY = [
  ...ELEMENTWISE_UNARY,
  'Floor',
  'Ceil',
  'Round',
  'Sin',
  'Cos',
  'Identity',
  'Dropout',
  'BatchNormalization',
  'InstanceNormalization',
  'LayerNormalization',
  'LpNormalization',
  'GroupNormalization',
  'LRN',
  'Softmax',
  'LogSoftmax',
  'Hardmax',
  'Not',
  'Sign',
  'CumSum',
  'ThresholdedRelu',
  'Shrink',
  'DepthToSpace',
  'SpaceToDepth',
];

export const SHAPE_RULES: Record<string, ShapeRule> = {
  ...Object.fromEntries(UNARY.map((op) => [op, same])),
  Add: arithmetic((a, b) => a + b),
  Sub: arithmetic((a, b) => a - b),
  Mul: arithmetic((a, b) => a * b),
  Div: arithmetic((a, b) => Math.trunc(a / b)),
  Pow: broadcast,
  Max: broadcast,
  Min: broadcast,
  Sum: broadcast,
  Mean: broadcast,
  Mod: broadcast,
  Where: (n, [c, a, b]) => [{ ...broadcast(n, [c, a, b])[0]!, dtype: a?.dtype ?? 0 }],
  Equal: compare,
  Greater: compare,
  Less: compare,
  GreaterOrEqual: compare,
  LessOrEqual: compare,
  And: compare,
  Or: compare,
  Xor: compare,
  Conv: conv,
  ConvTranspose: convTranspose,
  ConvInteger: conv,
  QLinearConv: (n, i) => conv(n, [i[0], i[3]]),
  MaxPool: pool,
  AveragePool: pool,
  LpPool: pool,
  GlobalAveragePool: globalPool,
  GlobalMaxPool: globalPool,
  GlobalLpPool: globalPool,
  Gemm: gemm,
  MatMul: matmul,
  MatMulInteger: matmul,
  Flatten: flatten,
  Reshape: reshape,
  Transpose: transpose,
  Concat: concat,
  Resize: resize,
  Upsample: (n, [x, scales]) => resize(n, [x, undefined, scales, undefined]),
  Unsqueeze: unsqueeze,
  Squeeze: squeeze,
  ReduceMean: reduce,
  ReduceSum: reduce,
  ReduceMax: reduce,
  ReduceMin: reduce,
  ReduceProd: reduce,
  ReduceL2: reduce,
  ReduceL1: reduce,
  ReduceSumSquare: reduce,
  ReduceLogSumExp: reduce,
  ArgMax: toInt64(reduce),
  ArgMin: toInt64(reduce),
  Shape: shapeOp,
  Size: () => [{ dtype: DataType.INT64, shape: [] }],
  Gather: gather,
  GatherElements: gatherElements,
  // Its output rank depends on the indices' last dim; the type is the data's, which is what fp16 needs.
  GatherND: (_node, [x]) => [{ dtype: x?.dtype ?? 0, shape: undefined }],
  ScatterElements: same,
  ScatterND: same,
  TopK: topK,
  NonZero: nonZero,
  Slice: slice,
  Cast: cast,
  Constant: constant,
  ConstantOfShape: constantOfShape,
  Split: split,
  Pad: pad,
  Expand: expandOrTile(false),
  Tile: expandOrTile(true),
  QuantizeLinear: quantize,
  DequantizeLinear: dequantize,
};
