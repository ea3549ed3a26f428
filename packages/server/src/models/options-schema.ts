/**
 * Schemas of the model layer's options: what createModelManager, a model spec, its batching and its
 * instances accept. Checked by runtime/schema, so every field error reads like the config's.
 */
import { Type } from '@sinclair/typebox';
import { createValidator } from '@oxidizedvision/runtime/schema';

const Int = (minimum: number, maximum?: number) =>
  Type.Integer(maximum === undefined ? { minimum } : { minimum, maximum });
const NonNegative = Type.Number({ minimum: 0 });
const NonEmpty = Type.String({ minLength: 1 });
const closed = { additionalProperties: false } as const;

export const BatchingSchema = Type.Object(
  {
    maxBatchSize: Type.Optional(Int(0)),
    maxQueueDelayMs: Type.Optional(NonNegative),
    preferredBatchSizes: Type.Optional(Type.Array(Int(1))),
    maxQueueSize: Type.Optional(Int(0)),
    timeoutMs: Type.Optional(NonNegative),
  },
  closed,
);

export const InstancesSchema = Type.Object({ count: Type.Optional(Int(1)), threads: Type.Optional(Int(0)) }, closed);

/** Model names appear in URL paths and metric labels; a slash or blank name would break both. */
export const ModelName = Type.String({
  pattern: '^[^/\\\\\\s](?:[^/\\\\]*[^/\\\\\\s])?$',
  expected: 'a non-empty name without slashes or surrounding spaces',
});

const ModelSpecSchema = Type.Object(
  {
    name: ModelName,
    source: Type.Object(
      {
        kind: Type.Union([Type.Literal('file'), Type.Literal('repository')]),
        path: Type.Optional(NonEmpty),
        version: Type.Optional(Type.String({ pattern: '^[1-9][0-9]*$', expected: 'a version number such as "1"' })),
        dir: Type.Optional(NonEmpty),
      },
      closed,
    ),
    batching: Type.Optional(BatchingSchema),
    instances: Type.Optional(InstancesSchema),
  },
  closed,
);

const VersionPolicySchema = Type.Union([Type.Literal('all'), Type.Object({ latest: Int(1) }, closed)], {
  expected: '"all" or { latest: <an integer ≥ 1> }',
});

const RepositorySchema = Type.Object(
  {
    dir: NonEmpty,
    controlMode: Type.Optional(Type.Union([Type.Literal('none'), Type.Literal('poll'), Type.Literal('explicit')])),
    pollSecs: Type.Optional(Type.Number({ exclusiveMinimum: 0 })),
    defaults: Type.Optional(
      Type.Object({ batching: Type.Optional(BatchingSchema), instances: Type.Optional(InstancesSchema) }, closed),
    ),
    versionPolicy: Type.Optional(VersionPolicySchema),
  },
  closed,
);

/** `workerUrl` is checked by hand: JSON Schema cannot tell a URL instance from any other object. */
export const ManagerOptionsSchema = Type.Object(
  {
    models: Type.Optional(Type.Array(ModelSpecSchema)),
    repository: Type.Optional(RepositorySchema),
    cores: Type.Optional(Int(1)),
    workerUrl: Type.Optional(Type.Unknown()),
    workerNice: Type.Optional(Int(0, 19)),
  },
  closed,
);

export const validateBatching = createValidator(BatchingSchema, { root: 'batching' });
export const validateInstances = createValidator(InstancesSchema, { root: 'instances' });
export const validateManagerOptions = createValidator(ManagerOptionsSchema, { root: 'options' });
