import { describe, expect, it } from 'vitest';
import {
  DEFAULT_BATCHING,
  DEFAULT_INSTANCES,
  DEFAULT_VERSION_POLICY,
  parseModelConfig,
  resolveBatchingConfig,
  resolveManagerOptions,
} from '../dist/models/index.js';
import { resolveServerOptions } from '../dist/index.js';
import { expectOxvErrorSync } from './fixtures/helpers.js';

const defaults = { batching: DEFAULT_BATCHING, instances: DEFAULT_INSTANCES, versionPolicy: DEFAULT_VERSION_POLICY };
const spec = (name: string, path = 'm.onnx') => ({
  name,
  source: { kind: 'file' as const, path },
  batching: DEFAULT_BATCHING,
  instances: DEFAULT_INSTANCES,
});

describe('manager options', () => {
  it('fills defaults and freezes the result', () => {
    const resolved = resolveManagerOptions({ models: [spec('a')], repository: { dir: '/repo' } });
    expect(resolved.repository).toMatchObject({ controlMode: 'none', pollSecs: 15, versionPolicy: { latest: 1 } });
    expect(resolved.cores).toBeGreaterThanOrEqual(1);
    expect(resolved.workerUrl.pathname).toMatch(/dist\/workers\/inference-worker\.js$/);
    expect(Object.isFrozen(resolved)).toBe(true);
    expect(DEFAULT_BATCHING).toMatchObject({
      maxBatchSize: 8,
      maxQueueDelayMs: 0,
      maxQueueSize: 256,
      timeoutMs: 60000,
    });
  });

  it('names the offending field, what was expected and what was got, with ERR_OPTIONS_INVALID', () => {
    const bad = (options: Parameters<typeof resolveManagerOptions>[0]) =>
      expectOxvErrorSync(() => resolveManagerOptions(options), 'ERR_OPTIONS_INVALID').message;
    expect(bad({ models: [spec('a'), spec('a')] })).toMatch(/options\.models\[1\]\.name .*two models named "a"/);
    expect(bad({ models: [spec('a/b')] })).toMatch(
      /options\.models\[0\]\.name must be a non-empty name without slashes .*\(got the string "a\/b"\)/,
    );
    expect(bad({ repository: { dir: '/r', controlMode: 'watch' as never } })).toMatch(
      /options\.repository\.controlMode must be one of "none", "poll", "explicit" \(got the string "watch"\)/,
    );
    expect(bad({ repository: { dir: '/r', pollSecs: 0 } })).toMatch(
      /options\.repository\.pollSecs must be a number > 0/,
    );
    expect(bad({ cores: 0 })).toMatch(/options\.cores must be an integer ≥ 1 \(got 0\)/);
    expect(bad({ workerNice: 20 })).toMatch(/options\.workerNice must be an integer from 0 to 19 \(got 20\)/);
    expect(bad({ workerUrl: 'inference-worker.js' as never })).toMatch(/options\.workerUrl must be a URL/);
  });

  it('rejects an unknown batching key with a did-you-mean', () => {
    const err = expectOxvErrorSync(
      () => resolveManagerOptions({ models: [{ ...spec('a'), batching: { maxBatchSiz: 4 } as never }] }),
      'ERR_OPTIONS_INVALID',
    );
    expect(err.message).toMatch(
      /options\.models\[0\]\.batching\.maxBatchSiz unknown key; did you mean "maxBatchSize"\? allowed keys: maxBatchSize, /,
    );
  });

  it('names field, value and expected of a wrong-typed nested batching option', () => {
    const err = expectOxvErrorSync(
      () =>
        resolveManagerOptions({
          repository: { dir: '/r', defaults: { batching: { maxQueueDelayMs: '5' as never } } },
        }),
      'ERR_OPTIONS_INVALID',
    );
    expect(err.message).toMatch(
      /options\.repository\.defaults\.batching\.maxQueueDelayMs must be a number ≥ 0 \(got the string "5"\)/,
    );
    expect(err.details?.issues).toEqual([
      {
        field: 'options.repository.defaults.batching.maxQueueDelayMs',
        value: '5',
        expected: 'a number ≥ 0',
        message: 'must be a number ≥ 0 (got the string "5")',
      },
    ]);
  });

  it('lists every problem at once', () => {
    const err = expectOxvErrorSync(() => resolveManagerOptions({ cores: 0, workerNice: -1 }), 'ERR_OPTIONS_INVALID');
    expect(err.message).toMatch(/\(2 problems\)/);
    expect(err.details?.issues).toHaveLength(2);
  });

  it('checks preferred batch sizes against maxBatchSize', () => {
    expect(resolveBatchingConfig({ maxBatchSize: 8, preferredBatchSizes: [8, 4, 4] }).preferredBatchSizes).toEqual([
      4, 8,
    ]);
    expect(
      expectOxvErrorSync(
        () => resolveBatchingConfig({ maxBatchSize: 4, preferredBatchSizes: [8] }),
        'ERR_OPTIONS_INVALID',
      ).message,
    ).toMatch(/batching\.preferredBatchSizes\[0\] \(8\) exceeds maxBatchSize \(4\)/);
    expectOxvErrorSync(() => resolveBatchingConfig({ timeoutMs: -1 }), 'ERR_OPTIONS_INVALID');
  });
});

describe('config.json', () => {
  it('overrides only the fields it sets', () => {
    const config = parseModelConfig(
      JSON.stringify({
        max_batch_size: 4,
        dynamic_batching: { max_queue_delay_ms: 2.5, preferred_batch_sizes: [2, 4], timeout_ms: 100 },
        instances: { count: 2 },
        version_policy: { all: {} },
      }),
      'config.json',
      defaults,
    );
    expect(config.batching).toEqual({
      ...DEFAULT_BATCHING,
      maxBatchSize: 4,
      maxQueueDelayMs: 2.5,
      preferredBatchSizes: [2, 4],
      timeoutMs: 100,
    });
    expect(config.instances).toEqual({ count: 2, threads: 0 });
    expect(config.versionPolicy).toBe('all');
    expect(parseModelConfig(null, 'config.json', defaults)).toBe(defaults);
    expect(
      parseModelConfig('{"version_policy": {"latest": {"num_versions": 2}}}', 'c', defaults).versionPolicy,
    ).toEqual({
      latest: 2,
    });
  });

  it('refuses invalid files with ERR_CONFIG_INVALID naming the file and the field', () => {
    const bad = (text: string) =>
      expectOxvErrorSync(() => parseModelConfig(text, '/repo/m/config.json', defaults), 'ERR_CONFIG_INVALID');
    expect(bad('{ not json').message).toMatch(/\/repo\/m\/config\.json is not valid JSON/);
    expect(bad('{"max_batch_size": -1}').message).toMatch(/max_batch_size must be an integer ≥ 0/);
    expect(bad('{"dynamic_batching": {"max_queue_delay_ms": "5"}}').message).toMatch(
      /dynamic_batching\.max_queue_delay_ms/,
    );
    expect(bad('{"max_batch_size": 2, "dynamic_batching": {"preferred_batch_sizes": [4]}}').message).toMatch(
      /exceeds max_batch_size/,
    );
    expect(bad('{"instances": {"count": 0}}').message).toMatch(/instances\.count/);
    expect(bad('{"max_batch": 4}').message).toMatch(
      /\/repo\/m\/config\.json: max_batch unknown key; did you mean "max_batch_size"\?/,
    );
    expect(bad('{"version_policy": {"latest": {"num_versions": 0}}}').message).toMatch(/num_versions/);
    expect(bad('{"version_policy": {}}').message).toMatch(/version_policy must be .*exactly one of "latest" or "all"/);
  });

  it('names the file and the field in the message and in details', () => {
    const err = expectOxvErrorSync(
      () => parseModelConfig('{"instances": {"threads": "2"}}', '/repo/m/config.json', defaults),
      'ERR_CONFIG_INVALID',
    );
    expect(err.message).toMatch(
      /\/repo\/m\/config\.json: instances\.threads must be an integer ≥ 0 \(got the string "2"\)/,
    );
    expect(err.details).toMatchObject({
      file: '/repo/m/config.json',
      issues: [{ field: 'instances.threads', value: '2', expected: 'an integer ≥ 0' }],
    });
  });
});

describe('server options', () => {
  it('fills defaults and freezes the result', () => {
    const resolved = resolveServerOptions({ bodyLimit: 10, log: { level: 'warn' } });
    expect(resolved).toMatchObject({ bodyLimit: 10, retryAfterSecs: 1, defaultTopK: 5, inferenceToken: null });
    expect(resolved.log).toEqual({ level: 'warn', format: 'json', stream: null });
    expect(Object.isFrozen(resolved) && Object.isFrozen(resolved.log)).toBe(true);
  });

  it('rejects an unknown option with a did-you-mean', () => {
    const err = expectOxvErrorSync(() => resolveServerOptions({ retryAfter: 2 } as never), 'ERR_OPTIONS_INVALID');
    expect(err.message).toMatch(/options\.retryAfter unknown key; did you mean "retryAfterSecs"\?/);
  });

  it('says what a mistyped option should have been', () => {
    const bad = (options: object) =>
      expectOxvErrorSync(() => resolveServerOptions(options as never), 'ERR_OPTIONS_INVALID').message;
    expect(bad({ bodyLimit: '10' })).toMatch(/options\.bodyLimit must be an integer ≥ 1 \(got the string "10"\)/);
    expect(bad({ adminToken: 'a b' })).toMatch(/options\.adminToken must be a non-empty string without whitespace/);
    expect(bad({ log: { format: 'text' } })).toMatch(/options\.log\.format must be one of "json", "pretty"/);
    expect(bad({ log: { stream: {} } })).toMatch(/options\.log\.stream must be an object with a write\(line\) method/);
  });
});
