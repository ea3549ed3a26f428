import type { ExecutionProvider, GraphOptimizationLevel, RunnerOptions } from './runner.js';
import { describeValue } from './internal/format.js';

const EXECUTION_PROVIDERS: readonly ExecutionProvider[] = ['cpu', 'cuda', 'tensorrt', 'wasm', 'webgpu'];
const OPTIMIZATION_LEVELS: readonly GraphOptimizationLevel[] = ['disabled', 'basic', 'extended', 'all'];

/**
 * Validates RunnerOptions once at the backend boundary and returns a frozen copy, so backends never see
 * a negative thread count or a misspelt provider from untyped (JS, YAML) callers.
 */
export function resolveRunnerOptions(options: RunnerOptions | undefined): Readonly<RunnerOptions> {
  if (options === undefined) return Object.freeze({});
  if (typeof options !== 'object' || options === null) {
    throw new TypeError(`options must be an object, got ${describeValue(options)}`);
  }
  checkCount(options.intraOpThreads, 'options.intraOpThreads');
  checkCount(options.interOpThreads, 'options.interOpThreads');
  checkCount(options.deviceId, 'options.deviceId');
  checkOneOf(options.executionProvider, EXECUTION_PROVIDERS, 'options.executionProvider');
  checkOneOf(options.graphOptimizationLevel, OPTIMIZATION_LEVELS, 'options.graphOptimizationLevel');
  const resolved: RunnerOptions = {};
  if (options.intraOpThreads !== undefined) resolved.intraOpThreads = options.intraOpThreads;
  if (options.interOpThreads !== undefined) resolved.interOpThreads = options.interOpThreads;
  if (options.executionProvider !== undefined) resolved.executionProvider = options.executionProvider;
  if (options.deviceId !== undefined) resolved.deviceId = options.deviceId;
  if (options.graphOptimizationLevel !== undefined) resolved.graphOptimizationLevel = options.graphOptimizationLevel;
  return Object.freeze(resolved);
}

export function checkCount(value: unknown, name: string): void {
  if (value === undefined) return;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
    throw new RangeError(`${name} must be a non-negative integer, got ${String(value)}`);
  }
}

export function checkOneOf(value: unknown, allowed: readonly string[], name: string): void {
  if (value === undefined) return;
  if (typeof value !== 'string' || !allowed.includes(value)) {
    throw new RangeError(`${name} must be one of ${allowed.join(', ')}, got ${JSON.stringify(value)}`);
  }
}

export function checkPath(value: unknown, name: string): void {
  if (value === undefined) return;
  if (typeof value !== 'string' || value.length === 0) {
    throw new TypeError(`${name} must be a non-empty file path, got ${describeValue(value)}`);
  }
}
