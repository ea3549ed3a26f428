import { isDType } from '../dtype.js';
import { OxvError } from '../errors.js';
import type { TensorInfo } from '../runner.js';
import type { Tensor } from '../tensor.js';
import type { OrtTensorFactory, OrtTensorLike, OrtValueMetadataLike } from './types.js';

/**
 * Model metadata → TensorInfo. Backends disagree on unnamed dynamic dims (node says '', web says
 * 4294967295, i.e. -1 as uint32), so both become '?'.
 */
export function toTensorInfo(meta: OrtValueMetadataLike): TensorInfo {
  if (!meta.isTensor) return { name: meta.name, dtype: 'non-tensor', shape: [] };
  const shape = (meta.shape ?? []).map((dim) => {
    if (typeof dim === 'string') return dim === '' ? '?' : dim;
    return Number.isSafeInteger(dim) && dim >= 0 && dim < 2 ** 31 ? dim : '?';
  });
  return { name: meta.name, dtype: meta.type ?? 'unknown', shape };
}

/** Our Tensor → the runtime's. Data is passed, not copied: both runtimes copy into native memory on run. */
export function toOrtTensor(tensor: Tensor, createOrtTensor: OrtTensorFactory): OrtTensorLike {
  return createOrtTensor(tensor.dtype, tensor.data, [...tensor.shape]);
}

/** The runtime's output → our Tensor, refusing dtypes this package cannot represent. */
export function fromOrtValue(name: string, value: unknown): Tensor {
  if (!isOrtTensor(value)) {
    throw new OxvError('ERR_INFERENCE', `output "${name}" is not a tensor`);
  }
  const { type, dims, data } = value;
  if (!isDType(type)) {
    throw new OxvError(
      'ERR_INFERENCE',
      `output "${name}" has dtype ${type}, which @oxidizedvision/runtime does not support`,
    );
  }
  const shape = Object.freeze([...dims]);
  if (type === 'float16') return { dtype: type, shape, data: float16Bits(data as ArrayBufferView) };
  return { dtype: type, shape, data: data as Tensor['data'] };
}

/**
 * Where Float16Array exists (recent browsers, Node ≥ 24) onnxruntime returns one; a Uint16Array view of
 * the same bytes keeps our float16 storage uniform without copying.
 */
function float16Bits(data: ArrayBufferView): Uint16Array {
  if (data instanceof Uint16Array) return data;
  return new Uint16Array(data.buffer, data.byteOffset, data.byteLength / 2);
}

function isOrtTensor(value: unknown): value is OrtTensorLike & { data: ArrayBufferView } {
  if (typeof value !== 'object' || value === null) return false;
  const candidate = value as Partial<OrtTensorLike>;
  return typeof candidate.type === 'string' && Array.isArray(candidate.dims) && ArrayBuffer.isView(candidate.data);
}
