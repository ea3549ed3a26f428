import { availableParallelism } from 'node:os';
import { createIssue, issuesError, type SchemaIssue } from '@oxidizedvision/runtime/schema';
import type { BatchingConfig, InstanceConfig, ModelSpec } from './types.js';
import { validateBatching, validateInstances, validateManagerOptions } from './options-schema.js';

export type ControlMode = 'none' | 'poll' | 'explicit';

/** Which version folders of a repository model are loaded (Triton's version_policy): the N highest, or all. */
export type VersionPolicy = { latest: number } | 'all';

export interface RepositoryOptions {
  /** Folder in Triton's layout: `<dir>/<name>/<version>/model.onnx`, optional `<dir>/<name>/config.json`. */
  dir: string;
  /**
   * none (default): load every model at start, never rescan. poll: also rescan every pollSecs and hot-reload
   * changes. explicit: load nothing at start; only load(name) does. load()/unload() work in every mode.
   */
  controlMode?: ControlMode;
  /** Seconds between rescans in poll mode. Default 15 (Triton's). Fractions are allowed (tests use 0.2). */
  pollSecs?: number;
  /** Batching and instances of models whose config.json does not set them. */
  defaults?: { batching?: Partial<BatchingConfig>; instances?: Partial<InstanceConfig> };
  /** Default { latest: 1 }: only the highest version is loaded. A model's config.json can override it. */
  versionPolicy?: VersionPolicy;
}

export interface ModelManagerOptions {
  /** Models named one by one (`--model name=path.onnx`), served as version "1". */
  models?: ModelSpec[];
  repository?: RepositoryOptions;
  /** Cores the default thread budget divides among instances. Default os.availableParallelism(). */
  cores?: number;
  /** The worker script. Default: the built dist/workers/inference-worker.js. Tests use it to inject faults. */
  workerUrl?: URL;
  /**
   * Nice value (0–19) of the inference threads, Linux only; 0 leaves them at the server's priority. Default
   * 5: with every core busy in onnxruntime, the event loop (HTTP, batching, /v2/health/live) still gets a
   * core as soon as it has work. See DEFAULT_WORKER_NICE.
   */
  workerNice?: number;
}

export interface ResolvedRepository {
  readonly dir: string;
  readonly controlMode: ControlMode;
  readonly pollSecs: number;
  readonly defaults: Readonly<{ batching: BatchingConfig; instances: InstanceConfig }>;
  readonly versionPolicy: VersionPolicy;
}

export interface ResolvedManagerOptions {
  readonly models: readonly ModelSpec[];
  readonly repository: ResolvedRepository | null;
  readonly cores: number;
  readonly workerUrl: URL;
  readonly workerNice: number;
}

/**
 * Batching when nothing is configured. maxQueueDelayMs 0 is Triton's default: no added latency, yet
 * requests that arrive while every instance is busy still leave together as one batch.
 */
export const DEFAULT_BATCHING: Readonly<BatchingConfig> = Object.freeze({
  maxBatchSize: 8,
  maxQueueDelayMs: 0,
  preferredBatchSizes: Object.freeze([]) as unknown as number[],
  maxQueueSize: 256,
  timeoutMs: 60_000,
});

/** One instance; threads 0 means the automatic budget floor(cores / all instances), at least 1. */
/**
 * Two instances sharing the cores (threads 0 = the cores divided among all instances). Measured on the
 * example UNet on 2 cores (docs/benchmarks.md): 2 × 1 thread served 20% more over HTTP than 1 × 2, because
 * a single session's intra-op threads wait for each other whenever the event loop takes one of their
 * cores. One instance with every thread gives the lowest latency to a lone request (`--instances 1`).
 */
export const DEFAULT_INSTANCES: Readonly<InstanceConfig> = Object.freeze({ count: 2, threads: 0 });

/**
 * Inference threads run at nice 5 (Linux): measured on 2 cores, /v2/health/live p99 at saturation fell from
 * 20.8 to 10.0 ms with the same throughput, since the event loop no longer queues behind onnxruntime.
 */
export const DEFAULT_WORKER_NICE = 5;

export const DEFAULT_POLL_SECS = 15;
export const DEFAULT_VERSION_POLICY: VersionPolicy = Object.freeze({ latest: 1 });

/** The one rule between batching fields JSON Schema cannot state: preferred sizes fit in a batch. */
export function preferredSizeIssues(
  batching: Pick<BatchingConfig, 'maxBatchSize' | 'preferredBatchSizes'>,
  path: string,
  names = { preferred: 'preferredBatchSizes', max: 'maxBatchSize' },
): SchemaIssue[] {
  const { maxBatchSize: max, preferredBatchSizes: preferred } = batching;
  if (max === 0) return [];
  return preferred.flatMap((size, i) =>
    size > max
      ? [
          createIssue([names.preferred, i], size, `an integer ≤ ${names.max} (${max})`, {
            root: path,
            message: `(${size}) exceeds ${names.max} (${max})`,
          }),
        ]
      : [],
  );
}

function invalid(title: string, issues: readonly SchemaIssue[]): void {
  if (issues.length > 0) throw issuesError('ERR_OPTIONS_INVALID', title, issues);
}

/** `partial`'s set fields over `base`, preferred sizes sorted and deduplicated, frozen. Checks nothing. */
export function mergeBatching(partial: Partial<BatchingConfig>, base: Readonly<BatchingConfig>): BatchingConfig {
  const merged = { ...base, ...stripUndefined(partial) };
  return Object.freeze({
    ...merged,
    preferredBatchSizes: Object.freeze([...new Set(merged.preferredBatchSizes)].sort((a, b) => a - b)) as number[],
  });
}

export function mergeInstances(partial: Partial<InstanceConfig>, base: Readonly<InstanceConfig>): InstanceConfig {
  return Object.freeze({ ...base, ...stripUndefined(partial) });
}

/**
 * Fills a partial batching config from `base` and checks it. maxQueueSize 0 and timeoutMs 0 mean
 * unbounded / no timeout (as in Triton); preferred sizes must lie in 1..maxBatchSize.
 */
export function resolveBatchingConfig(
  partial: Partial<BatchingConfig> = {},
  base: Readonly<BatchingConfig> = DEFAULT_BATCHING,
  path = 'batching',
): BatchingConfig {
  invalid('Invalid batching options', validateBatching(partial, path));
  const resolved = mergeBatching(partial, base);
  invalid('Invalid batching options', preferredSizeIssues(resolved, path));
  return resolved;
}

export function resolveInstanceConfig(
  partial: Partial<InstanceConfig> = {},
  base: Readonly<InstanceConfig> = DEFAULT_INSTANCES,
  path = 'instances',
): InstanceConfig {
  invalid('Invalid instances options', validateInstances(partial, path));
  return mergeInstances(partial, base);
}

/** Checks that span fields or need instanceof: run once the schema holds. */
function managerIssues(options: ModelManagerOptions): SchemaIssue[] {
  const issues: SchemaIssue[] = [];
  const seen = new Set<string>();
  (options.models ?? []).forEach((spec, i) => {
    const where = `options.models[${i}]`;
    if (seen.has(spec.name))
      issues.push(
        createIssue(['name'], spec.name, 'a name no other model has', {
          root: where,
          message: `repeats "${spec.name}": two models named "${spec.name}" cannot both be served`,
        }),
      );
    seen.add(spec.name);
    const field = spec.source.kind === 'file' ? 'path' : 'dir';
    const location = (spec.source as Record<string, unknown>)[field];
    if (location === undefined)
      issues.push(createIssue(['source', field], location, 'a non-empty string', { root: where }));
    if (spec.batching)
      issues.push(...preferredSizeIssues({ ...DEFAULT_BATCHING, ...spec.batching }, `${where}.batching`));
  });
  const defaults = options.repository?.defaults?.batching;
  if (defaults)
    issues.push(...preferredSizeIssues({ ...DEFAULT_BATCHING, ...defaults }, 'options.repository.defaults.batching'));
  if (options.workerUrl !== undefined && !(options.workerUrl instanceof URL))
    issues.push(createIssue(['workerUrl'], options.workerUrl, 'a URL', { root: 'options' }));
  return issues;
}

/** Checks the manager options once and returns a frozen copy with every default filled in. */
export function resolveManagerOptions(options: ModelManagerOptions): ResolvedManagerOptions {
  const title = 'Invalid createModelManager options';
  invalid(title, validateManagerOptions(options));
  invalid(title, managerIssues(options));
  const models = (options.models ?? []).map((spec) =>
    Object.freeze({
      name: spec.name,
      source: Object.freeze(
        spec.source.kind === 'file'
          ? { kind: 'file' as const, path: spec.source.path, version: spec.source.version ?? '1' }
          : { kind: 'repository' as const, dir: spec.source.dir },
      ),
      batching: mergeBatching(spec.batching ?? {}, DEFAULT_BATCHING),
      instances: mergeInstances(spec.instances ?? {}, DEFAULT_INSTANCES),
    }),
  );
  return Object.freeze({
    models: Object.freeze(models),
    repository: options.repository === undefined ? null : resolveRepository(options.repository),
    cores: options.cores ?? availableParallelism(),
    workerUrl: options.workerUrl ?? new URL('../workers/inference-worker.js', import.meta.url),
    workerNice: options.workerNice ?? DEFAULT_WORKER_NICE,
  });
}

function resolveRepository(repository: RepositoryOptions): ResolvedRepository {
  const defaults = repository.defaults ?? {};
  const policy = repository.versionPolicy;
  return Object.freeze({
    dir: repository.dir,
    controlMode: repository.controlMode ?? 'none',
    pollSecs: repository.pollSecs ?? DEFAULT_POLL_SECS,
    defaults: Object.freeze({
      batching: mergeBatching(defaults.batching ?? {}, DEFAULT_BATCHING),
      instances: mergeInstances(defaults.instances ?? {}, DEFAULT_INSTANCES),
    }),
    versionPolicy:
      policy === undefined
        ? DEFAULT_VERSION_POLICY
        : policy === 'all'
          ? 'all'
          : Object.freeze({ latest: policy.latest }),
  });
}

function stripUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
