import { readFileSync, writeFileSync } from 'node:fs';
import { DTYPE_BYTES, createTensor, isDType, type Tensor } from '@oxidizedvision/runtime';

/**
 * Tensors cross to and from the Python bridge as raw little-endian C-order files (x86 and arm64 are
 * both little-endian, and numpy's `tofile`/`fromfile` read and write exactly that).
 */
export function writeRawTensor(path: string, tensor: Tensor): void {
  const data = tensor.data;
  writeFileSync(path, new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
}

export function readRawTensor(path: string, dtype: string, shape: number[]): Tensor {
  const bytes = readFileSync(path);
  if (!isDType(dtype)) throw new TypeError(`unsupported dtype "${dtype}" in ${path}`);
  const width = DTYPE_BYTES[dtype];
  // Copy into a fresh, aligned buffer: Buffer slices may start at offsets typed arrays cannot use.
  const buffer = new Uint8Array(bytes).buffer;
  const count = bytes.byteLength / width;
  const views: Record<string, () => Tensor['data']> = {
    float32: () => new Float32Array(buffer, 0, count),
    float16: () => new Uint16Array(buffer, 0, count),
    float64: () => new Float64Array(buffer, 0, count),
    int64: () => new BigInt64Array(buffer, 0, count),
    int32: () => new Int32Array(buffer, 0, count),
    int8: () => new Int8Array(buffer, 0, count),
    uint8: () => new Uint8Array(buffer, 0, count),
    bool: () => new Uint8Array(buffer, 0, count),
  };
  return createTensor(dtype, shape, views[dtype]!() as never);
}
