import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { OxvError } from '../errors.js';

export type GpuExecutionProvider = 'cuda' | 'tensorrt';

export interface ProviderLibraryStatus {
  available: boolean;
  /** Library files the provider needs that are not in `directory`. */
  missing: string[];
  directory: string;
}

/**
 * The shared libraries each GPU execution provider needs beside the onnxruntime-node binding. They are not
 * in the npm tarball: onnxruntime-node's postinstall downloads them (from NuGet), and this project skips
 * that download by default (.npmrc), so most installs lack them.
 */
const PROVIDER_LIBRARIES: Record<GpuExecutionProvider, string[]> = {
  cuda: ['libonnxruntime_providers_shared.so', 'libonnxruntime_providers_cuda.so'],
  tensorrt: ['libonnxruntime_providers_shared.so', 'libonnxruntime_providers_tensorrt.so'],
};

const INSTALL_HINT =
  'install the GPU libraries with `ONNXRUNTIME_NODE_INSTALL=cuda12 npm rebuild onnxruntime-node` ' +
  '(needs network access, an NVIDIA driver, CUDA 12 and cuDNN 9)';

/** Directory holding onnxruntime_binding.node for this platform, resolved the way Node resolves the package. */
export function bindingDirectory(): string {
  const require = createRequire(import.meta.url);
  const packageRoot = dirname(require.resolve('onnxruntime-node/package.json'));
  return join(packageRoot, 'bin', 'napi-v6', process.platform, process.arch);
}

/**
 * Whether the provider's libraries are installed. This only looks for files: the CUDA runtime, cuDNN and
 * a driver are still needed when the session starts. `directory` defaults to the binding's own.
 */
export function checkProviderLibraries(
  provider: GpuExecutionProvider,
  directory: string = bindingDirectory(),
): ProviderLibraryStatus {
  const needed = PROVIDER_LIBRARIES[provider];
  if (needed === undefined) throw new RangeError(`provider must be cuda or tensorrt, got ${JSON.stringify(provider)}`);
  const missing = needed.filter((file) => !existsSync(join(directory, file)));
  return { available: missing.length === 0, missing, directory };
}

/**
 * Fails early, with a fix, when a GPU provider cannot load. Without this ORT prints a native error to
 * stderr and throws "Failed to load shared library", which names neither the file nor the remedy.
 */
export function assertProviderInstalled(provider: GpuExecutionProvider, directory?: string): void {
  if (directory === undefined && (process.platform !== 'linux' || process.arch !== 'x64')) {
    throw new OxvError(
      'ERR_BACKEND_UNAVAILABLE',
      `the ${provider} execution provider of onnxruntime-node is only prebuilt for linux x64, not ${process.platform} ${process.arch}`,
      { details: { provider } },
    );
  }
  const status = checkProviderLibraries(provider, directory);
  if (status.available) return;
  throw new OxvError(
    'ERR_BACKEND_UNAVAILABLE',
    `the ${provider} execution provider is not installed: ${status.missing.join(', ')} missing from ${status.directory}; ${INSTALL_HINT}`,
    {
      hint: "or run on the CPU with executionProvider 'cpu'",
      details: { provider, missing: status.missing, directory: status.directory },
    },
  );
}
