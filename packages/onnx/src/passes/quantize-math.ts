/** The arithmetic of ONNX linear quantization: q = saturate(round(x / scale) + zero_point). */

export interface QuantParams {
  scale: number;
  zeroPoint: number;
}

/** Rounds half to even, as QuantizeLinear does (and numpy.round in onnxruntime's quantizer). */
export function roundHalfEven(x: number): number {
  const r = Math.round(x);
  return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/**
 * uint8 asymmetric parameters for an activation range. The range is widened to include 0 so that 0 (ReLU
 * outputs, zero padding) is exactly representable; a ReLU output's range starts at 0, so its zero point is
 * 0 and the quantized tensor clamps negatives by itself (which is why a following ReLU can be removed).
 */
export function activationParams(min: number, max: number): QuantParams {
  const lo = Math.min(min, 0);
  const hi = Math.max(max, 0);
  if (!(hi > lo) || !Number.isFinite(hi - lo)) return { scale: 1, zeroPoint: 0 };
  const scale = (hi - lo) / 255;
  const zeroPoint = Math.min(255, Math.max(0, roundHalfEven(-lo / scale)));
  return { scale, zeroPoint };
}

export interface ChannelQuantized {
  values: Int8Array;
  scales: Float32Array;
}

/**
 * Symmetric int8 per-channel weights in [-127, 127] (zero point 0), one scale per slice along `axis`.
 * -128 is left out so that the int8×uint8 products of the VNNI/AVX-512 kernels cannot saturate the int16
 * pair sums, as onnxruntime's quantizer does for symmetric weights.
 */
export function quantizeWeightsPerChannel(
  weights: Float32Array,
  dims: readonly number[],
  axis: number,
): ChannelQuantized {
  const channels = dims[axis] ?? 1;
  const inner = dims.slice(axis + 1).reduce((a, b) => a * b, 1);
  const maxAbs = new Float64Array(channels);
  const channelOf = (i: number) => Math.floor(i / inner) % channels;
  for (let i = 0; i < weights.length; i++) {
    const c = channelOf(i);
    const a = Math.abs(weights[i]!);
    if (a > maxAbs[c]!) maxAbs[c] = a;
  }
  const scales = new Float32Array(channels);
  for (let c = 0; c < channels; c++) scales[c] = maxAbs[c]! > 0 ? maxAbs[c]! / 127 : 1;
  const values = new Int8Array(weights.length);
  for (let i = 0; i < weights.length; i++) {
    const q = roundHalfEven(weights[i]! / scales[channelOf(i)]!);
    values[i] = Math.max(-127, Math.min(127, q));
  }
  return { values, scales };
}

/** Per-tensor symmetric int8 (one scale), for weights whose layout has no usable channel axis. */
export function quantizeWeightsPerTensor(weights: Float32Array): ChannelQuantized {
  return quantizeWeightsPerChannel(weights, [1, weights.length], 0);
}

/** int32 bias with scale input_scale × weight_scale[c] and zero point 0: what QLinearConv's bias must be. */
export function quantizeBias(
  bias: Float32Array,
  inputScale: number,
  weightScales: Float32Array,
): { values: Int32Array; scales: Float32Array } {
  const scales = new Float32Array(bias.length);
  const values = new Int32Array(bias.length);
  for (let c = 0; c < bias.length; c++) {
    const scale = inputScale * weightScales[weightScales.length === 1 ? 0 : c]!;
    scales[c] = scale;
    const q = roundHalfEven(bias[c]! / scales[c]!);
    values[c] = Math.max(-2147483648, Math.min(2147483647, q));
  }
  return { values, scales };
}
