import { registerBackend, type Backend } from '../backend.js';
import { resolveRunnerOptions } from '../options.js';
import { createOrtRunner } from '../ort/runner.js';
import type { ModelSource, Runner, RunnerOptions } from '../runner.js';
import { NODE_BACKEND_NAME, createNodeOrtTensor, openNodeSession } from './session.js';

export { encodePng } from './png.js';
export {
  assertProviderInstalled,
  bindingDirectory,
  checkProviderLibraries,
  type GpuExecutionProvider,
  type ProviderLibraryStatus,
} from './providers.js';
export { NODE_BACKEND_NAME, createNodeSession, toNodeTensor, type NodeOrtTensor, type NodeSession } from './session.js';
export type { NodeSessionOptions } from './session-options.js';

/**
 * Loads a model with onnxruntime-node. Execution providers: cpu (default), cuda and tensorrt (linux x64
 * with the GPU libraries installed), webgpu (experimental in onnxruntime-node). Note that run() blocks the
 * event loop for the length of the inference; run it in a worker where that matters.
 */
export async function createNodeRunner(source: ModelSource, options?: RunnerOptions): Promise<Runner> {
  const resolved = resolveRunnerOptions(options);
  const session = await openNodeSession(source, resolved);
  return createOrtRunner({
    backend: NODE_BACKEND_NAME,
    executionProviders: [resolved.executionProvider ?? 'cpu'],
    session,
    createOrtTensor: createNodeOrtTensor,
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

export { decodeImage, type DecodeImageOptions } from './image-decode.js';
