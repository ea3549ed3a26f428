/**
 * Node-only model I/O: files on disk and their external data files. The root entry stays isomorphic.
 */
import { open, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { OxvError } from '@oxidizedvision/runtime';
import { decodeModel, encodeModel } from '../model/codec.js';
import { externalizeTensors, internalizeExternalData, type ExternalReference } from '../model/external-data.js';
import type { ModelProto, TensorProto } from '../proto/onnx_pb.js';
// The codes thrown here are onnx's; importing them keeps them known to callers that use only this entry.
import '../errors.js';

export interface ReadModelResult {
  model: ModelProto;
  /** Size of the .onnx file itself. */
  bytes: number;
  /** External data files the model referenced (now loaded into it), relative to its folder. */
  externalFiles: string[];
  /** Bytes of those files together. */
  externalBytes: number;
}

/**
 * Reads a .onnx file and loads every external data file it references, so the returned model is
 * self-contained. Throws ERR_FILE_NOT_FOUND for a missing model, ERR_ONNX_INVALID for a corrupt one or a
 * missing/short external file.
 */
export async function readModel(path: string): Promise<ReadModelResult> {
  let bytes: Uint8Array;
  try {
    bytes = await readFile(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new OxvError('ERR_FILE_NOT_FOUND', `model file not found: ${path}`, { details: { file: path } });
    }
    throw new OxvError('ERR_ONNX_INVALID', `cannot read ${path}: ${(error as Error).message}`, { cause: error });
  }
  const model = decodeModel(bytes, path);
  const dir = dirname(path);
  const sizes = new Map<string, number>();
  const externalFiles = await internalizeExternalData(model, (ref, tensor) => readExternal(dir, ref, tensor, sizes));
  return {
    model,
    bytes: bytes.byteLength,
    externalFiles,
    externalBytes: [...sizes.values()].reduce((a, b) => a + b, 0),
  };
}

async function readExternal(
  dir: string,
  ref: ExternalReference,
  tensor: TensorProto,
  sizes: Map<string, number>,
): Promise<Uint8Array> {
  const file = join(dir, ref.location);
  let handle;
  try {
    handle = await open(file, 'r');
  } catch (error) {
    throw new OxvError(
      'ERR_ONNX_INVALID',
      `external data file "${ref.location}" of tensor "${tensor.name}" cannot be opened: ${(error as Error).message}`,
      { cause: error, hint: 'keep the external data files next to the .onnx file they belong to' },
    );
  }
  try {
    const { size } = await handle.stat();
    sizes.set(ref.location, size);
    const length = ref.length ?? size - ref.offset;
    if (ref.offset + length > size) {
      throw new OxvError(
        'ERR_ONNX_INVALID',
        `external data file "${ref.location}" is too short for tensor "${tensor.name}" (needs ${ref.offset + length} bytes, has ${size})`,
      );
    }
    const out = new Uint8Array(length);
    await handle.read(out, 0, length, ref.offset);
    return out;
  } finally {
    await handle.close();
  }
}

export interface WriteModelOptions {
  /**
   * Store tensors of at least `threshold` bytes (default 1024) in this file, relative to the model's folder
   * (e.g. "model.onnx.data"). Needed above protobuf's 2 GiB limit. Default: everything inline.
   */
  externalData?: { location: string; threshold?: number };
}

export interface WriteModelResult {
  bytes: number;
  externalBytes: number;
}

/**
 * Writes the model (and its external data file) to temporary files in the target folder, then renames
 * them into place: a failure never leaves a half-written model where a reader could find it. The model is
 * not modified (externalising works on a copy of the tensor references). Throws ERR_OUTPUT_WRITE.
 */
export async function writeModel(
  path: string,
  model: ModelProto,
  options: WriteModelOptions = {},
): Promise<WriteModelResult> {
  const suffix = `.tmp-${process.pid}-${Date.now()}`;
  const temps: [string, string][] = [];
  try {
    let external: Uint8Array[] = [];
    let toWrite = model;
    if (options.externalData) {
      toWrite = cloneSharingBytes(model);
      external = externalizeTensors(toWrite, options.externalData.location, options.externalData.threshold ?? 1024);
    }
    const bytes = encodeModel(toWrite);
    let externalBytes = 0;
    if (options.externalData && external.length > 0) {
      const target = join(dirname(path), options.externalData.location);
      temps.push([target + suffix, target]);
      await writeFile(target + suffix, external);
      externalBytes = (await stat(target + suffix)).size;
    }
    temps.push([path + suffix, path]);
    await writeFile(path + suffix, bytes);
    for (const [temp, final] of temps) await rename(temp, final);
    return { bytes: bytes.byteLength, externalBytes };
  } catch (error) {
    await Promise.all(temps.map(([temp]) => rm(temp, { force: true })));
    throw new OxvError(
      'ERR_OUTPUT_WRITE',
      `cannot write ${basename(path)} to ${dirname(path)}: ${(error as Error).message}`,
      {
        cause: error,
        details: { file: path },
      },
    );
  }
}

/**
 * externalizeTensors rewrites tensors in place; writing must not change the caller's in-memory model, so
 * it works on a structural copy that shares the (large) byte arrays. Prototypes are kept: protobuf-es
 * proto2 messages read unset fields' defaults from theirs.
 */
function cloneSharingBytes<T>(value: T): T {
  if (value instanceof Uint8Array || value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((v: unknown) => cloneSharingBytes(v)) as T;
  const out = Object.create(Object.getPrototypeOf(value) as object) as Record<string, unknown>;
  for (const [key, v] of Object.entries(value)) out[key] = cloneSharingBytes(v);
  return out as T;
}
