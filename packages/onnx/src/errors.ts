/** The codes the ONNX reader, the passes and the file writer raise; tools' optimize shares them. */
export const ONNX_ERROR_CODES = {
  ERR_ONNX_INVALID: 'The file is not a valid ONNX model: corrupt, truncated, or missing its graph or external data.',
  ERR_QUANTIZE: 'The model cannot be optimized or quantized as asked (opset too old, nothing to quantize).',
  ERR_OUTPUT_WRITE: 'An output file could not be written (folder missing, not writable, disk full).',
} as const;

declare module '@oxidizedvision/runtime' {
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type -- merges onnx's codes into ErrorCode
  interface OxvErrorCodeMap extends Record<keyof typeof ONNX_ERROR_CODES, true> {}
}
