import { checkPath, resolveRunnerOptions } from '../options.js';
import type { RunnerOptions } from '../runner.js';

/** RunnerOptions plus what only a raw onnxruntime-node session offers. */
export interface NodeSessionOptions extends RunnerOptions {
  /**
   * Turns on onnxruntime's profiler. The Node binding only profiles with a file prefix (its
   * startProfiling() does nothing); session.endProfiling() writes `<prefix>_<timestamp>.json`, a Chrome trace.
   */
  profileFilePrefix?: string;
  /** onnxruntime writes the graph it optimized (at graphOptimizationLevel) to this file while loading. */
  optimizedModelFilePath?: string;
}

/** Validates NodeSessionOptions once and returns a frozen copy holding only the known keys. */
export function resolveNodeSessionOptions(options: NodeSessionOptions | undefined): Readonly<NodeSessionOptions> {
  const resolved: NodeSessionOptions = { ...resolveRunnerOptions(options) };
  if (options === undefined) return Object.freeze(resolved);
  checkPath(options.profileFilePrefix, 'options.profileFilePrefix');
  checkPath(options.optimizedModelFilePath, 'options.optimizedModelFilePath');
  if (options.profileFilePrefix !== undefined) resolved.profileFilePrefix = options.profileFilePrefix;
  if (options.optimizedModelFilePath !== undefined) resolved.optimizedModelFilePath = options.optimizedModelFilePath;
  return Object.freeze(resolved);
}
