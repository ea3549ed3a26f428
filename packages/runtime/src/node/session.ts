import { stat } from 'node:fs/promises';
import * as ort from 'onnxruntime-node';
import { OxvError } from '../errors.js';
import { firstLine } from '../internal/format.js';
import type { OrtTensorFactory } from '../ort/types.js';
import type { ExecutionProvider, ModelSource } from '../runner.js';
import type { Tensor } from '../tensor.js';
import { assertProviderInstalled } from './providers.js';
import { resolveNodeSessionOptions, type NodeSessionOptions } from './session-options.js';

export const NODE_BACKEND_NAME = 'onnxruntime-node';

/** onnxruntime-node's own session and tensor, for the few callers that need them (profiling, benchmarks). */
export type NodeSession = ort.InferenceSession;
export type NodeOrtTensor = ort.Tensor;

// create()'s overloads take a path or bytes, not their union; both reach one implementation.
type CreateSession = (source: ModelSource, options: ort.InferenceSession.SessionOptions) => Promise<NodeSession>;

// ORT's warnings (e.g. unused initialisers) would go to stderr; libraries here never print, and real
// failures still surface as thrown errors.
const LOG_SEVERITY_ERROR = 3;

/**
 * Creates an onnxruntime-node session. Every session in this project's Node code starts here, so threads,
 * execution providers, profiling, optimized-model output, log level and load errors (ERR_FILE_NOT_FOUND,
 * ERR_MODEL_LOAD, ERR_BACKEND_UNAVAILABLE) are decided in one place. Prefer createNodeRunner(): this raw
 * session skips feed validation and takes onnxruntime tensors (see toNodeTensor).
 */
export async function createNodeSession(source: ModelSource, options?: NodeSessionOptions): Promise<NodeSession> {
  return openNodeSession(source, resolveNodeSessionOptions(options));
}

/** createNodeSession for options already resolved (createNodeRunner resolves its own once). */
export async function openNodeSession(
  source: ModelSource,
  resolved: Readonly<NodeSessionOptions>,
): Promise<NodeSession> {
  const provider = nodeProvider(resolved.executionProvider);
  const label = typeof source === 'string' ? `"${source}"` : `from ${source.byteLength} bytes`;
  if (typeof source === 'string') await assertModelFile(source);
  else if (!(source instanceof Uint8Array)) {
    throw new TypeError('source must be a file path or a Uint8Array of model bytes');
  }
  const sessionOptions = toSessionOptions(provider, resolved);
  try {
    return await (ort.InferenceSession.create as CreateSession)(source, sessionOptions);
  } catch (error) {
    throw classifyCreateError(error, provider, label);
  }
}

/** The Tensor factory createOrtRunner converts feeds with. */
export const createNodeOrtTensor: OrtTensorFactory = (dtype, data, dims) =>
  new ort.Tensor(dtype as ort.Tensor.Type, data as ort.Tensor.DataType, dims);

/** Our Tensor → onnxruntime-node's, sharing the data (ORT copies it into native memory on run). */
export function toNodeTensor(tensor: Tensor): NodeOrtTensor {
  return createNodeOrtTensor(tensor.dtype, tensor.data, [...tensor.shape]) as NodeOrtTensor;
}

/** The provider to start, failing early (with a fix) when it cannot exist here. */
function nodeProvider(requested: ExecutionProvider | undefined): Exclude<ExecutionProvider, 'wasm'> {
  const provider = requested ?? 'cpu';
  if (provider === 'wasm') {
    throw new OxvError(
      'ERR_BACKEND_UNAVAILABLE',
      `the wasm execution provider belongs to onnxruntime-web, not ${NODE_BACKEND_NAME}`,
      { hint: "use backend 'onnxruntime-web' for wasm" },
    );
  }
  if (provider === 'cuda' || provider === 'tensorrt') assertProviderInstalled(provider);
  return provider;
}

function toSessionOptions(
  provider: string,
  resolved: Readonly<NodeSessionOptions>,
): ort.InferenceSession.SessionOptions {
  const options: ort.InferenceSession.SessionOptions = {
    executionProviders: [
      provider === 'cuda' || provider === 'tensorrt' ? { name: provider, deviceId: resolved.deviceId ?? 0 } : provider,
    ],
    logSeverityLevel: LOG_SEVERITY_ERROR,
  };
  if (resolved.intraOpThreads !== undefined) options.intraOpNumThreads = resolved.intraOpThreads;
  if (resolved.interOpThreads !== undefined) options.interOpNumThreads = resolved.interOpThreads;
  if (resolved.graphOptimizationLevel !== undefined) options.graphOptimizationLevel = resolved.graphOptimizationLevel;
  if (resolved.optimizedModelFilePath !== undefined) options.optimizedModelFilePath = resolved.optimizedModelFilePath;
  if (resolved.profileFilePrefix !== undefined) {
    options.enableProfiling = true;
    options.profileFilePrefix = resolved.profileFilePrefix;
  }
  return options;
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
