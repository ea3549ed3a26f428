import { create } from '@bufbuild/protobuf';
import { makeAttribute } from '../../graph/attributes.js';
import { NodeProtoSchema, type NodeProto, type TensorProto } from '../../proto/onnx_pb.js';
import { DataType } from '../../tensor/data-type.js';
import { createTensorProto } from '../../tensor/values.js';

export function makeNode(
  opType: string,
  inputs: string[],
  outputs: string[],
  name: string,
  attributes: Record<string, number | string | number[]> = {},
): NodeProto {
  return create(NodeProtoSchema, {
    opType,
    input: inputs,
    output: outputs,
    name,
    attribute: Object.entries(attributes).map(([k, v]) => makeAttribute(k, v)),
  });
}

export const scalarFloat = (name: string, value: number): TensorProto =>
  createTensorProto(name, DataType.FLOAT, [], Float32Array.of(value));
