import * as ort from 'onnxruntime-web';
import { registerBackend, type Backend } from '../backend.js';
import { OxvError } from '../errors.js';
import { isNodeRuntime } from '../internal/env.js';
import { firstLine } from '../internal/format.js';
import { resolveRunnerOptions } from '../options.js';
import { createOrtRunner } from '../ort/runner.js';
import type { OrtTensorFactory } from '../ort/types.js';
import { createSerialQueue } from '../internal/serial-queue.js';
import type { ModelSource, Runner, RunnerOptions } from '../runner.js';
import { loadModelBytes } from './load-model.js';

export const WEB_BACKEND_NAME = 'onnxruntime-web';

const LOG_SEVERITY_ERROR = 3;

// Session creation and runs share one WASM instance; concurrent calls into it fail ("Session already
// started"), so every call goes through one queue, as Transformers.js does.
const serialize = createSerialQueue();

const createOrtTensor: OrtTensorFactory = (dtype, data, dims) =>
  new ort.Tensor(dtype as ort.Tensor.Type, data as ort.Tensor.DataType, dims);

/**
 * Loads a model with onnxruntime-web: the WASM execution provider (also chosen by 'cpu'), or WebGPU where
 * `navigator.gpu` exists. Under Node (how CI tests it) onnxruntime-web only supports single-threaded WASM,
 * so threads are pinned to 1. In the browser `intraOpThreads` sets `ort.env.wasm.numThreads`, which is
 * global and only takes effect before the first session is created.
 */
export async function createWebRunner(source: ModelSource, options?: RunnerOptions): Promise<Runner> {
  const resolved = resolveRunnerOptions(options);
  const provider = resolveProvider(resolved.executionProvider);
  configureThreads(resolved.intraOpThreads);
  const bytes = await loadModelBytes(source);
  const label = typeof source === 'string' ? `"${source}"` : `from ${source.byteLength} bytes`;

  const sessionOptions: ort.InferenceSession.SessionOptions = {
    executionProviders: [provider],
    logSeverityLevel: LOG_SEVERITY_ERROR,
  };
  if (resolved.graphOptimizationLevel !== undefined)
    sessionOptions.graphOptimizationLevel = resolved.graphOptimizationLevel;

  let session: ort.InferenceSession;
  try {
    session = await serialize(() => ort.InferenceSession.create(bytes, sessionOptions));
  } catch (error) {
    const message = firstLine(error);
    if (provider === 'webgpu' && /webgpu|adapter|gpu device/i.test(message)) {
      throw new OxvError('ERR_BACKEND_UNAVAILABLE', `${WEB_BACKEND_NAME} could not start WebGPU: ${message}`, {
        cause: error,
      });
    }
    throw new OxvError('ERR_MODEL_LOAD', `could not load model ${label}: ${message}`, { cause: error });
  }
  return createOrtRunner({
    backend: WEB_BACKEND_NAME,
    executionProviders: [provider],
    session,
    createOrtTensor,
    schedule: serialize,
  });
}

/**
 * Where onnxruntime-web fetches its .wasm binary and loader: a URL prefix ending in '/'. onnxruntime-web
 * holds it globally and reads it when the first session starts, so set it before creating a runner.
 */
export function setWasmPaths(prefix: string): void {
  if (typeof prefix !== 'string' || prefix.length === 0) {
    throw new TypeError(`prefix must be a non-empty URL prefix, got ${JSON.stringify(prefix)}`);
  }
  ort.env.wasm.wasmPaths = prefix;
}

export const webBackend: Backend = {
  name: WEB_BACKEND_NAME,
  priority: 10,
  isAvailable: async () =>
    typeof WebAssembly === 'object'
      ? { available: true }
      : { available: false, reason: 'WebAssembly is not supported in this environment' },
  create: createWebRunner,
};

/** Registers onnxruntime-web with createRunner(); safe to call more than once. */
export function registerWebBackend(): void {
  registerBackend(webBackend);
}

function resolveProvider(requested: RunnerOptions['executionProvider']): 'wasm' | 'webgpu' {
  if (requested === undefined || requested === 'wasm' || requested === 'cpu') return 'wasm';
  if (requested === 'webgpu') {
    if (hasWebGpu()) return 'webgpu';
    throw new OxvError('ERR_BACKEND_UNAVAILABLE', 'WebGPU is not available here (navigator.gpu is undefined)', {
      hint: 'use a browser with WebGPU enabled (Chrome/Edge ≥ 113), or executionProvider "wasm"',
      details: { provider: requested },
    });
  }
  throw new OxvError('ERR_BACKEND_UNAVAILABLE', `${WEB_BACKEND_NAME} has no ${requested} execution provider`, {
    hint: `use backend 'onnxruntime-node' for ${requested}`,
    details: { provider: requested },
  });
}

function hasWebGpu(): boolean {
  const nav = (globalThis as { navigator?: { gpu?: unknown } }).navigator;
  return nav?.gpu !== undefined && nav.gpu !== null;
}

function configureThreads(intraOpThreads: number | undefined): void {
  if (isNodeRuntime()) {
    // onnxruntime-web supports only single-threaded WASM under Node (its README). 1.30 happens to accept
    // more threads there, but that path is unsupported, so pin 1 and keep CI on the documented one.
    ort.env.wasm.numThreads = 1;
  } else if (intraOpThreads !== undefined) {
    ort.env.wasm.numThreads = intraOpThreads;
  }
}
