import { describe, expect, it } from 'vitest';
import {
  DEFAULT_BATCHING,
  DEFAULT_INSTANCES,
  DEFAULT_VERSION_POLICY,
  parseModelConfig,
  resolveBatchingConfig,
  resolveManagerOptions,
} from '../dist/models/index.js';
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

  it('names the offending field', () => {
    expect(() => resolveManagerOptions({ models: [spec('a'), spec('a')] })).toThrow(/two models named "a"/);
    expect(() => resolveManagerOptions({ models: [spec('a/b')] })).toThrow(/options\.models\[0\]\.name/);
    expect(() => resolveManagerOptions({ repository: { dir: '/r', controlMode: 'watch' as never } })).toThrow(
      /controlMode must be one of none, poll, explicit/,
    );
    expect(() => resolveManagerOptions({ repository: { dir: '/r', pollSecs: 0 } })).toThrow(/pollSecs/);
    expect(() => resolveManagerOptions({ cores: 0 })).toThrow(/options\.cores/);
    expect(() => resolveManagerOptions({ models: [{ ...spec('a'), batching: { maxBatchSiz: 4 } as never }] })).toThrow(
      /unknown key "maxBatchSiz"/,
    );
  });

  it('checks preferred batch sizes against maxBatchSize', () => {
    expect(resolveBatchingConfig({ maxBatchSize: 8, preferredBatchSizes: [8, 4, 4] }).preferredBatchSizes).toEqual([
      4, 8,
    ]);
    expect(() => resolveBatchingConfig({ maxBatchSize: 4, preferredBatchSizes: [8] })).toThrow(/exceeds maxBatchSize/);
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
    expect(bad('{"max_batch": 4}').message).toMatch(/unknown key "max_batch"/);
    expect(bad('{"version_policy": {"latest": {"num_versions": 0}}}').message).toMatch(/num_versions/);
  });
});
