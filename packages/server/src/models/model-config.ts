import { OxvError } from '@oxidizedvision/runtime';
import type { BatchingConfig, InstanceConfig } from './types.js';
import { checkInt, checkObject } from './checks.js';
import { resolveBatchingConfig, resolveInstanceConfig, type VersionPolicy } from './options.js';

/** A repository model's `config.json`, resolved against the repository defaults. */
export interface ModelConfig {
  batching: BatchingConfig;
  instances: InstanceConfig;
  versionPolicy: VersionPolicy;
}

const TOP_KEYS = ['max_batch_size', 'dynamic_batching', 'instances', 'version_policy'];
const DYNAMIC_KEYS = ['max_queue_delay_ms', 'preferred_batch_sizes', 'max_queue_size', 'timeout_ms'];

/**
 * Parses `<dir>/<name>/config.json` (Triton's field names, milliseconds instead of microseconds):
 *
 *     { "max_batch_size": 8,
 *       "dynamic_batching": { "max_queue_delay_ms": 2, "preferred_batch_sizes": [4, 8],
 *                             "max_queue_size": 64, "timeout_ms": 5000 },
 *       "instances": { "count": 2, "threads": 1 },
 *       "version_policy": { "latest": { "num_versions": 2 } }   // or { "all": {} }
 *     }
 *
 * Every field is optional; absent ones keep `defaults`. Anything invalid (bad JSON, unknown key, wrong
 * type or range) throws ERR_CONFIG_INVALID naming the file and field, and that model then fails to load.
 */
export function parseModelConfig(
  text: string | null,
  file: string,
  defaults: { batching: BatchingConfig; instances: InstanceConfig; versionPolicy: VersionPolicy },
): ModelConfig {
  if (text === null) return defaults;
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new OxvError('ERR_CONFIG_INVALID', `${file} is not valid JSON: ${(error as Error).message}`, {
      cause: error,
    });
  }
  try {
    const top = checkObject(json, 'config', TOP_KEYS);
    const dynamic = checkObject(top.dynamic_batching ?? {}, 'dynamic_batching', DYNAMIC_KEYS);
    const instances = checkObject(top.instances ?? {}, 'instances', ['count', 'threads']);
    return {
      batching: resolveBatchingConfig(
        {
          maxBatchSize: top.max_batch_size as number | undefined,
          maxQueueDelayMs: dynamic.max_queue_delay_ms as number | undefined,
          preferredBatchSizes: dynamic.preferred_batch_sizes as number[] | undefined,
          maxQueueSize: dynamic.max_queue_size as number | undefined,
          timeoutMs: dynamic.timeout_ms as number | undefined,
        },
        defaults.batching,
        'config',
      ),
      instances: resolveInstanceConfig(instances as Partial<InstanceConfig>, defaults.instances, 'instances'),
      versionPolicy: top.version_policy === undefined ? defaults.versionPolicy : parsePolicy(top.version_policy),
    };
  } catch (error) {
    if (error instanceof OxvError) throw error;
    // Messages name resolver fields (config.maxBatchSize); map them back to the file's snake_case keys.
    const message = (error as Error).message
      .replace('config.maxBatchSize', 'max_batch_size')
      .replace('config.maxQueueDelayMs', 'dynamic_batching.max_queue_delay_ms')
      .replace('config.preferredBatchSizes', 'dynamic_batching.preferred_batch_sizes')
      .replace('config.maxQueueSize', 'dynamic_batching.max_queue_size')
      .replace('config.timeoutMs', 'dynamic_batching.timeout_ms')
      .replace('exceeds maxBatchSize', 'exceeds max_batch_size');
    throw new OxvError('ERR_CONFIG_INVALID', `${file}: ${message}`, { cause: error });
  }
}

function parsePolicy(value: unknown): VersionPolicy {
  const policy = checkObject(value, 'version_policy', ['latest', 'all']);
  if (Object.keys(policy).length !== 1)
    throw new RangeError('version_policy must have exactly one of "latest" or "all"');
  if (policy.all !== undefined) {
    checkObject(policy.all, 'version_policy.all', []);
    return 'all';
  }
  const latest = checkObject(policy.latest, 'version_policy.latest', ['num_versions']);
  return { latest: checkInt(latest.num_versions, 'version_policy.latest.num_versions', 1) };
}
