import { ONNX_ERROR_CODES } from '@oxidizedvision/onnx';
import { RUNTIME_ERROR_CODES } from '@oxidizedvision/runtime';

/** The codes only the commands' logic raises: config files, the Python bridge, the registry, optimize, run. */
export const TOOLS_ERROR_CODES = {
  ERR_CONFIG_NOT_FOUND: 'The config file does not exist.',
  ERR_CONFIG_PARSE: 'The config file is not valid YAML, or is empty.',
  ERR_PYTHON_NOT_FOUND: 'No Python interpreter that can import torch was found.',
  ERR_PYTHON_BRIDGE: 'The Python bridge failed in an unexpected way.',
  ERR_MODEL_IMPORT: 'The model source file could not be imported, or the class is not in it.',
  ERR_MODEL_INIT: 'The model class could not be constructed with the given init_args.',
  ERR_CHECKPOINT: 'The checkpoint could not be loaded, or does not match the model.',
  ERR_EXPORT: 'torch.onnx.export or TorchScript tracing failed.',
  ERR_UNSUPPORTED_OPSET: 'The requested ONNX opset is not supported by the installed exporter or runtime.',
  ERR_REGISTRY: 'The registry database could not be read or written.',
  ERR_ACCURACY: 'The optimized model is less accurate than --min-cosine allows; nothing was written.',
  ERR_OUTPUT_EXISTS: 'An output file already exists and --overwrite was not given; nothing was written.',
} as const;

declare module '@oxidizedvision/runtime' {
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type -- merges tools' codes into ErrorCode
  interface OxvErrorCodeMap extends Record<keyof typeof TOOLS_ERROR_CODES, true> {}
}

/**
 * Every code a tools call can meet, its own and those of the packages below it. A child process (the
 * Python bridge, a benchmark worker) reports its error's code as a string; only these pass as they are.
 */
export const TOOLS_KNOWN_ERROR_CODES = { ...RUNTIME_ERROR_CODES, ...ONNX_ERROR_CODES, ...TOOLS_ERROR_CODES } as const;
