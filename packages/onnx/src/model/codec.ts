import { fromBinary, toBinary } from '@bufbuild/protobuf';
import { OxvError } from '@oxidizedvision/runtime';
import { ModelProtoSchema, type ModelProto } from '../proto/onnx_pb.js';

/**
 * Parses ONNX protobuf bytes. Unknown fields (from an ONNX newer than the vendored schema) are kept and
 * written back by encodeModel, so a round trip never drops data. Throws ERR_ONNX_INVALID for bytes that
 * are not a model: protobuf errors (truncation), or a message without a graph or IR version (random
 * bytes sometimes parse as an empty message).
 */
export function decodeModel(bytes: Uint8Array, source = 'model'): ModelProto {
  let model: ModelProto;
  try {
    model = fromBinary(ModelProtoSchema, bytes);
  } catch (error) {
    throw invalid(source, (error as Error).message, error);
  }
  if (model.graph === undefined || model.irVersion <= 0n) {
    throw invalid(source, model.graph === undefined ? 'it has no graph' : 'it has no IR version');
  }
  return model;
}

/** Serialises a model. Protobuf caps a message at 2 GiB: larger models need external data (see "./node"). */
export function encodeModel(model: ModelProto): Uint8Array {
  return toBinary(ModelProtoSchema, model);
}

function invalid(source: string, reason: string, cause?: unknown): OxvError {
  return new OxvError('ERR_ONNX_INVALID', `${source} is not a valid ONNX model: ${reason}`, {
    cause,
    hint: 'check that the file is a complete .onnx export (re-run convert if it was cut short)',
  });
}

/** Opset version of the default ("" / "ai.onnx") domain, or undefined when the model imports none. */
export function defaultOpset(model: ModelProto): number | undefined {
  const entry = model.opsetImport.find((o) => o.domain === '' || o.domain === 'ai.onnx');
  return entry === undefined ? undefined : Number(entry.version);
}

/** A deep copy (passes edit models in place); the byte arrays are copied too. */
export function cloneModel(model: ModelProto): ModelProto {
  return decodeModel(encodeModel(model));
}
