import { create } from '@bufbuild/protobuf';
import {
  AttributeProto_AttributeType as AttrType,
  AttributeProtoSchema,
  type AttributeProto,
  type NodeProto,
  type TensorProto,
} from '../proto/onnx_pb.js';

function find(node: NodeProto, name: string): AttributeProto | undefined {
  return node.attribute.find((a) => a.name === name);
}

export function attrInt(node: NodeProto, name: string, fallback: number): number {
  const attr = find(node, name);
  return attr === undefined ? fallback : Number(attr.i);
}

export function attrFloat(node: NodeProto, name: string, fallback: number): number {
  const attr = find(node, name);
  return attr === undefined ? fallback : attr.f;
}

export function attrInts(node: NodeProto, name: string): number[] | undefined {
  const attr = find(node, name);
  return attr === undefined ? undefined : attr.ints.map(Number);
}

export function attrString(node: NodeProto, name: string, fallback: string): string {
  const attr = find(node, name);
  return attr === undefined ? fallback : new TextDecoder().decode(attr.s);
}

export function attrTensor(node: NodeProto, name: string): TensorProto | undefined {
  return find(node, name)?.t;
}

/** Builds attributes from plain values: integers (or bigints) → INT, other numbers → FLOAT, arrays of ints → INTS. */
export function makeAttribute(
  name: string,
  value: number | bigint | string | number[] | TensorProto,
  float = false,
): AttributeProto {
  if (typeof value === 'string')
    return create(AttributeProtoSchema, { name, type: AttrType.STRING, s: new TextEncoder().encode(value) });
  if (typeof value === 'bigint') return create(AttributeProtoSchema, { name, type: AttrType.INT, i: value });
  if (typeof value === 'number') {
    return float || !Number.isInteger(value)
      ? create(AttributeProtoSchema, { name, type: AttrType.FLOAT, f: value })
      : create(AttributeProtoSchema, { name, type: AttrType.INT, i: BigInt(value) });
  }
  if (Array.isArray(value)) return create(AttributeProtoSchema, { name, type: AttrType.INTS, ints: value.map(BigInt) });
  return create(AttributeProtoSchema, { name, type: AttrType.TENSOR, t: value });
}

export function setAttribute(node: NodeProto, attribute: AttributeProto): void {
  const index = node.attribute.findIndex((a) => a.name === attribute.name);
  if (index >= 0) node.attribute[index] = attribute;
  else node.attribute.push(attribute);
}
