import { attrInt, attrInts } from '../graph/attributes.js';
import type { NodeProto } from '../proto/onnx_pb.js';
import { ELEMENTWISE_UNARY } from './op-groups.js';
import { isStatic, product, type ValueFacts } from './types.js';

/**
 * Multiply-accumulates of one node, the unit model zoos quote (resnet18 at 224²: 1.8 G). Conventions,
 * as fvcore/ptflops count them:
 * - Conv: output elements × input channels per group × kernel area; ConvTranspose: input elements ×
 *   output channels per group × kernel area. Gemm/MatMul: M × N × K (× batch). Biases are not counted.
 * - Pooling: output elements × window size; global pooling: input elements.
 * - Normalisation: one per element (scale and shift), two for Instance/Layer/Group norm (statistics too).
 * - Elementwise arithmetic and activations: one per output element. Resize: one per output element.
 * - Data movement (Reshape, Concat, Transpose…) and constants: 0.
 * Returns null when a needed shape is unknown.
 */
export function nodeMacs(node: NodeProto, inputs: (ValueFacts | undefined)[], outputs: ValueFacts[]): number | null {
  const out = outputs[0]?.shape;
  const outCount = isStatic(out) ? product(out) : null;
  const x = inputs[0]?.shape;
  const w = inputs[1]?.shape;
  switch (node.opType) {
    case 'Conv': {
      if (outCount === null || !isStatic(w)) return null;
      return outCount * product(w.slice(1));
    }
    case 'ConvTranspose': {
      if (!isStatic(x) || !isStatic(w)) return null;
      return product(x) * w[1]! * product(w.slice(2)); // w: [Cin, Cout/group, k...]
    }
    case 'Gemm': {
      if (outCount === null || !isStatic(x)) return null;
      const k = attrInt(node, 'transA', 0) ? x[0]! : x[1]!;
      return outCount * k;
    }
    case 'MatMul': {
      if (outCount === null || !isStatic(x)) return null;
      return outCount * x.at(-1)!;
    }
    case 'MaxPool':
    case 'AveragePool':
    case 'LpPool': {
      if (outCount === null) return null;
      return outCount * product(attrInts(node, 'kernel_shape') ?? [1]);
    }
    case 'GlobalAveragePool':
    case 'GlobalMaxPool':
    case 'GlobalLpPool':
      return isStatic(x) ? product(x) : null;
    case 'BatchNormalization':
      return outCount;
    case 'InstanceNormalization':
    case 'LayerNormalization':
    case 'GroupNormalization':
      return outCount === null ? null : 2 * outCount;
    default:
      return ELEMENTWISE.has(node.opType) ? outCount : 0;
  }
}

const ELEMENTWISE = new Set([
  'Add',
  'Sub',
  'Mul',
  'Div',
  'Pow',
  'Max',
  'Min',
  'Sum',
  'Mean',
  ...ELEMENTWISE_UNARY,
  'Softmax',
  'LogSoftmax',
  'Resize',
  'Upsample',
  'Where',
]);
