import { attrInt, attrInts, attrString } from '../graph/attributes.js';
import type { NodeProto } from '../proto/onnx_pb.js';
import type { Dim } from './types.js';

export interface SpatialParams {
  kernel: number[];
  strides: number[];
  dilations: number[];
  /** [begin..., end...] per ONNX. */
  pads: number[];
  autoPad: string;
  ceil: boolean;
}

/** Conv/pooling attributes with ONNX defaults filled in for `rank` spatial dims. */
export function spatialParams(node: NodeProto, kernel: number[]): SpatialParams {
  const rank = kernel.length;
  return {
    kernel,
    strides: attrInts(node, 'strides') ?? Array<number>(rank).fill(1),
    dilations: attrInts(node, 'dilations') ?? Array<number>(rank).fill(1),
    pads: attrInts(node, 'pads') ?? Array<number>(2 * rank).fill(0),
    autoPad: attrString(node, 'auto_pad', 'NOTSET'),
    ceil: attrInt(node, 'ceil_mode', 0) === 1,
  };
}

/** Output spatial size of a Conv or pool along each axis (the formulas in the ONNX operator docs). */
export function convOutputDims(input: Dim[], p: SpatialParams): Dim[] {
  return input.map((size, i) => {
    if (typeof size !== 'number') return null;
    const k = (p.kernel[i]! - 1) * p.dilations[i]! + 1;
    const s = p.strides[i]!;
    if (p.autoPad === 'SAME_UPPER' || p.autoPad === 'SAME_LOWER') return Math.ceil(size / s);
    const pad = p.autoPad === 'VALID' ? 0 : p.pads[i]! + p.pads[i + input.length]!;
    const span = size + pad - k;
    return (p.ceil ? Math.ceil(span / s) : Math.floor(span / s)) + 1;
  });
}

/** Output spatial size of a ConvTranspose along each axis. */
export function convTransposeOutputDims(input: Dim[], p: SpatialParams, node: NodeProto): Dim[] {
  const explicit = attrInts(node, 'output_shape');
  if (explicit) return explicit.slice(-input.length);
  const outputPadding = attrInts(node, 'output_padding') ?? Array<number>(input.length).fill(0);
  return input.map((size, i) => {
    if (typeof size !== 'number') return null;
    const s = p.strides[i]!;
    if (p.autoPad === 'SAME_UPPER' || p.autoPad === 'SAME_LOWER') return size * s;
    const pad = p.pads[i]! + p.pads[i + input.length]!;
    return s * (size - 1) + outputPadding[i]! + (p.kernel[i]! - 1) * p.dilations[i]! + 1 - pad;
  });
}

/** NumPy broadcasting of several shapes; a dim is unknown (null) when it cannot be decided statically. */
export function broadcastShapes(shapes: Dim[][]): Dim[] {
  const rank = Math.max(...shapes.map((s) => s.length));
  const out: Dim[] = [];
  for (let i = 0; i < rank; i++) {
    let dim: Dim = 1;
    for (const shape of shapes) {
      const d = shape[shape.length - rank + i] ?? 1;
      if (d === 1) continue;
      if (dim === 1 || dim === d) dim = d;
      else if (typeof d === 'number' && typeof dim === 'number') dim = Math.max(dim, d);
      else dim = typeof dim === 'number' ? d : dim;
    }
    out.push(dim);
  }
  return out;
}

export function normaliseAxis(axis: number, rank: number): number {
  return axis < 0 ? axis + rank : axis;
}
