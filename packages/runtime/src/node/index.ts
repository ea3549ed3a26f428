import { stat } from 'node:fs/promises';
import * as ort from 'onnxruntime-node';
import { registerBackend, type Backend } from '../backend.js';
import { OxvError } from '../errors.js';
import { firstLine } from '../internal/format.js';
import { resolveRunnerOptions } from '../internal/options.js';
import { createOrtRunner } from '../internal/ort-runner.js';
import type { OrtTensorFactory } from '../internal/ort-types.js';
import type { ModelSource, Runner, RunnerOptions } from '../runner.js';
import { assertProviderInstalled } from './providers.js';

export { encodePng } from './png.js';
export {
  assertProviderInstalled,
  bindingDirectory,
  checkProviderLibraries,
  type GpuExecutionProvider,
  type ProviderLibraryStatus,
} from './providers.js';

export const NODE_BACKEND_NAME = 'onnxruntime-node';

// ORT's warnings (e.g. unused initialisers) would go to stderr; libraries here never print, and real
// failures still surface as thrown errors.
const LOG_SEVERITY_ERROR = 3;

const createOrtTensor: OrtTensorFactory = (dtype, data, dims) =>
  new ort.Tensor(dtype as ort.Tensor.Type, data as ort.Tensor.DataType, dims);

/**
 * Loads a model with onnxruntime-node. Execution providers: cpu (default), cuda and tensorrt (linux x64
 * with the GPU libraries installed), webgpu (experimental in onnxruntime-node). Note that run() blocks the
 * event loop for the length of the inference; run it in a worker where that matters.
 */
export async function createNodeRunner(source: ModelSource, options?: RunnerOptions): Promise<Runner> {
  const resolved = resolveRunnerOptions(options);
  const provider = resolved.executionProvider ?? 'cpu';
  if (provider === 'wasm') {
    throw new OxvError(
      'ERR_BACKEND_UNAVAILABLE',
      `the wasm execution provider belongs to onnxruntime-web, not ${NODE_BACKEND_NAME}`,
      { hint: "use backend 'onnxruntime-web' for wasm" },
    );
  }
  if (provider === 'cuda' || provider === 'tensorrt') assertProviderInstalled(provider);

  const label = typeof source === 'string' ? `"${source}"` : `from ${source.byteLength} bytes`;
  if (typeof source === 'string') await assertModelFile(source);
  else if (!(source instanceof Uint8Array)) {
    throw new TypeError('source must be a file path or a Uint8Array of model bytes');
  }

  const sessionOptions: ort.InferenceSession.SessionOptions = {
    executionProviders: [
      provider === 'cuda' || provider === 'tensorrt' ? { name: provider, deviceId: resolved.deviceId ?? 0 } : provider,
    ],
    logSeverityLevel: LOG_SEVERITY_ERROR,
  };
  if (resolved.intraOpThreads !== undefined) sessionOptions.intraOpNumThreads = resolved.intraOpThreads;
  if (resolved.interOpThreads !== undefined) sessionOptions.interOpNumThreads = resolved.interOpThreads;
  if (resolved.graphOptimizationLevel !== undefined)
    sessionOptions.graphOptimizationLevel = resolved.graphOptimizationLevel;

  let session: ort.InferenceSession;
  try {
    session =
      typeof source === 'string'
        ? await ort.InferenceSession.create(source, sessionOptions)
        : await ort.InferenceSession.create(source, sessionOptions);
  } catch (error) {
    throw classifyCreateError(error, provider, label);
  }
  return createOrtRunner({
    backend: NODE_BACKEND_NAME,
    executionProviders: [provider],
    session,
    createOrtTensor,
  });
}

export const nodeBackend: Backend = {
  name: NODE_BACKEND_NAME,
  priority: 100,
  // The native binding loaded when this module was imported, so reaching here means it works.
  isAvailable: async () => ({ available: true }),
  create: createNodeRunner,
};

/** Registers onnxruntime-node with createRunner(); safe to call more than once. */
export function registerNodeBackend(): void {
  registerBackend(nodeBackend);
}

async function assertModelFile(path: string): Promise<void> {
  try {
    const info = await stat(path);
    if (info.isFile()) return;
    throw new OxvError('ERR_MODEL_LOAD', `could not load model "${path}": it is not a file`);
  } catch (error) {
    if (error instanceof OxvError) throw error;
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new OxvError('ERR_FILE_NOT_FOUND', `model file not found: ${path}`, { details: { file: path } });
    }
    throw new OxvError('ERR_MODEL_LOAD', `could not read model "${path}": ${firstLine(error)}`, { cause: error });
  }
}

/**
 * ORT reports a provider that fails to initialise (missing CUDA runtime, cuDNN, driver) through the same
 * create() call as a bad model; its messages name the provider or a shared library, which tells them apart.
 */
function classifyCreateError(error: unknown, provider: string, label: string): OxvError {
  const message = firstLine(error);
  if (provider !== 'cpu' && /execution ?provider|shared library|providers?_|cuda|tensorrt|webgpu/i.test(message)) {
    return new OxvError(
      'ERR_BACKEND_UNAVAILABLE',
      `${NODE_BACKEND_NAME} could not start the ${provider} execution provider: ${message}`,
      {
        cause: error,
        hint: 'check the NVIDIA driver, CUDA 12 and cuDNN 9 installation, or use executionProvider "cpu"',
        details: { provider },
      },
    );
  }
  return new OxvError('ERR_MODEL_LOAD', `could not load model ${label}: ${message}`, { cause: error });
}
export { decodeImage, type DecodeImageOptions } from './image-decode.js';
