import { Type, type Static } from '@sinclair/typebox';
import { OxvError } from '@oxidizedvision/runtime';
import { createValidator, issuesError, type SchemaIssue } from '@oxidizedvision/runtime/schema';
import type { BatchingConfig, InstanceConfig } from './types.js';
import { mergeBatching, mergeInstances, preferredSizeIssues, type VersionPolicy } from './options.js';

/** A repository model's `config.json`, resolved against the repository defaults. */
export interface ModelConfig {
  batching: BatchingConfig;
  instances: InstanceConfig;
  versionPolicy: VersionPolicy;
}

const Int = (minimum: number) => Type.Integer({ minimum });
const NonNegative = Type.Number({ minimum: 0 });
const closed = { additionalProperties: false } as const;

const ModelConfigSchema = Type.Object(
  {
    max_batch_size: Type.Optional(Int(0)),
    dynamic_batching: Type.Optional(
      Type.Object(
        {
          max_queue_delay_ms: Type.Optional(NonNegative),
          preferred_batch_sizes: Type.Optional(Type.Array(Int(1))),
          max_queue_size: Type.Optional(Int(0)),
          timeout_ms: Type.Optional(NonNegative),
        },
        closed,
      ),
    ),
    instances: Type.Optional(Type.Object({ count: Type.Optional(Int(1)), threads: Type.Optional(Int(0)) }, closed)),
    version_policy: Type.Optional(
      Type.Object(
        {
          latest: Type.Optional(Type.Object({ num_versions: Int(1) }, closed)),
          all: Type.Optional(Type.Object({}, closed)),
        },
        { ...closed, minProperties: 1, maxProperties: 1, expected: 'an object with exactly one of "latest" or "all"' },
      ),
    ),
  },
  closed,
);

type ModelConfigFile = Static<typeof ModelConfigSchema>;
const validateModelConfig = createValidator(ModelConfigSchema);

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
  const invalid = (issues: SchemaIssue[]) =>
    issuesError('ERR_CONFIG_INVALID', 'Invalid model config', issues, {
      line: (issue) => `${file}: ${issue.field} ${issue.message}`,
      details: { file },
      hint: 'See docs/serving.md for the fields of config.json.',
    });
  const schemaIssues = validateModelConfig(json);
  if (schemaIssues.length > 0) throw invalid(schemaIssues);
  const config = json as ModelConfigFile;
  const dynamic = config.dynamic_batching ?? {};
  const batching = mergeBatching(
    {
      maxBatchSize: config.max_batch_size,
      maxQueueDelayMs: dynamic.max_queue_delay_ms,
      preferredBatchSizes: dynamic.preferred_batch_sizes,
      maxQueueSize: dynamic.max_queue_size,
      timeoutMs: dynamic.timeout_ms,
    },
    defaults.batching,
  );
  const sizeIssues = preferredSizeIssues(batching, '', {
    preferred: 'dynamic_batching.preferred_batch_sizes',
    max: 'max_batch_size',
  });
  if (sizeIssues.length > 0) throw invalid(sizeIssues);
  const policy = config.version_policy;
  return {
    batching,
    instances: mergeInstances(config.instances ?? {}, defaults.instances),
    versionPolicy:
      policy === undefined ? defaults.versionPolicy : policy.all ? 'all' : { latest: policy.latest!.num_versions },
  };
}
