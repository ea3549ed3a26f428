import { findPython, type Logger } from '@oxidizedvision/tools';
import type { BenchmarkRunner } from './runner-names.js';
import { PYTHON_RUNNERS, type RunnerFacts } from './runners.js';
import type { BenchmarkTarget } from './target.js';

type GpuStatus = RunnerFacts['gpu']['cuda'];

/**
 * Only file checks: onnxruntime-node ships no GPU provider libraries in its npm tarball (this project's
 * .npmrc skips the download), so their absence is the usual reason; a driver or CUDA problem that remains
 * shows up when the session is created, as that runner's failure.
 */
async function gpuStatus(provider: 'cuda' | 'tensorrt'): Promise<GpuStatus> {
  if (process.platform !== 'linux' || process.arch !== 'x64') {
    return { available: false, reason: `onnxruntime-node's ${provider} provider is only prebuilt for linux x64` };
  }
  const { checkProviderLibraries } = await import('@oxidizedvision/runtime/node');
  const status = checkProviderLibraries(provider);
  if (status.available) return { available: true };
  return {
    available: false,
    reason:
      `${provider} execution provider libraries missing (${status.missing.join(', ')} in ${status.directory}); ` +
      'install them with `ONNXRUNTIME_NODE_INSTALL=cuda12 npm rebuild onnxruntime-node`',
  };
}

export async function gatherFacts(
  target: BenchmarkTarget,
  candidates: readonly BenchmarkRunner[],
  options: { python?: string | undefined; logger?: Logger | undefined },
): Promise<RunnerFacts> {
  let python: RunnerFacts['python'];
  if (target.kind === 'config' && candidates.some((r) => PYTHON_RUNNERS.includes(r))) {
    try {
      python = await findPython({
        flag: options.python,
        config: target.config.python,
        ...(options.logger ? { logger: options.logger } : {}),
      });
    } catch (err) {
      python = { error: (err instanceof Error ? err.message : String(err)).replace(/\n\s*/g, ' ') };
    }
  }
  const [cuda, tensorrt] = await Promise.all([gpuStatus('cuda'), gpuStatus('tensorrt')]);
  return { target, python, gpu: { cuda, tensorrt } };
}
