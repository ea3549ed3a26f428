import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { validate as lintDockerfile } from 'dockerfile-utils';
import { Deployment } from 'kubernetes-models/apps/v1';
import { HorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2';
import { Container, Service } from 'kubernetes-models/v1';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { packageModels } from '@oxidizedvision/tools';
import { modelFolder } from './helpers/onnx-fixtures.js';

const tmp = (p: string): string => mkdtempSync(join(tmpdir(), `oxv-pkg-${p}-`));
const yamlOf = (dir: string, file: string): Record<string, unknown> =>
  parseYaml(readFileSync(join(dir, file), 'utf8')) as Record<string, unknown>;

// The server bundle's offline install, start and answers are tested end to end, against `serve`, in
// packages/cli/test/package-bundle.test.ts.

describe('package targets', () => {
  const onnx = modelFolder('tiny_cnn.onnx', { task: 'classification' }, 'tiny');
  // memoryBytes given: these tests check the templates, not the measurement (package-bundle.test.ts in the CLI
  // measures it).
  const options = {
    targets: ['docker', 'kubernetes', 'kserve', 'triton'] as const,
    memoryBytes: 100 * 1024 * 1024,
    drainTimeoutSecs: 20,
  };
  let bundle: Promise<string> | undefined;
  const packaged = (): Promise<string> =>
    (bundle ??= (async () => {
      const out = join(tmp('targets'), 'svc');
      await packageModels([onnx], { ...options, targets: [...options.targets], out });
      return out;
    })());

  it('writes Kubernetes manifests that validate against the Kubernetes schemas', async () => {
    const dir = await packaged();
    const deployment = yamlOf(dir, 'kubernetes/deployment.yaml');
    new Deployment(deployment as never).validate();
    // The schemas have teeth: a wrongly typed field is refused.
    expect(() => new Deployment({ ...deployment, spec: { replicas: 'one' } } as never).validate()).toThrow();
    new Service(yamlOf(dir, 'kubernetes/service.yaml') as never).validate();
    new HorizontalPodAutoscaler(yamlOf(dir, 'kubernetes/hpa.yaml') as never).validate();
    const pod = (
      deployment as {
        spec: {
          template: {
            metadata: { annotations: Record<string, string> };
            spec: Record<string, unknown> & { containers: Record<string, unknown>[] };
          };
        };
      }
    ).spec.template;
    expect(pod.spec['terminationGracePeriodSeconds']).toBe(25);
    expect(pod.metadata.annotations['prometheus.io/scrape']).toBe('true');
    expect(pod.spec.containers[0]).toMatchObject({
      readinessProbe: { httpGet: { path: '/v2/health/ready' } },
      livenessProbe: { httpGet: { path: '/v2/health/live' } },
      // 60 MiB of Node once + 2 sessions × (100 − 60) MiB, + 25%, rounded up to 16 MiB.
      resources: { requests: { memory: '176Mi' }, limits: { memory: '352Mi' } },
    });
  });

  it('writes a KServe v1beta1 InferenceService with a custom predictor container', async () => {
    const isvc = yamlOf(await packaged(), 'kserve/inferenceservice.yaml') as {
      apiVersion: string;
      kind: string;
      metadata: { name: string };
      spec: Record<string, unknown> & { predictor: Record<string, unknown> & { containers: unknown[] } };
    };
    expect(isvc).toMatchObject({
      apiVersion: 'serving.kserve.io/v1beta1',
      kind: 'InferenceService',
      metadata: { name: 'tiny' },
    });
    // KServe's PredictorSpec: ComponentExtensionSpec fields plus a PodSpec; containers are core/v1 Containers.
    expect(Object.keys(isvc.spec)).toEqual(['predictor']);
    const allowed = [
      'minReplicas',
      'maxReplicas',
      'scaleTarget',
      'scaleMetric',
      'containerConcurrency',
      'timeout',
      'canaryTrafficPercent',
      'logger',
      'batcher',
      'labels',
      'annotations',
      'containers',
      'serviceAccountName',
      'nodeSelector',
      'tolerations',
      'volumes',
    ];
    expect(Object.keys(isvc.spec.predictor).filter((k) => !allowed.includes(k))).toEqual([]);
    expect(isvc.spec.predictor.containers).toHaveLength(1);
    new Container(isvc.spec.predictor.containers[0] as never).validate();
  });

  it('writes a Dockerfile the linter passes, running as non-root with a HEALTHCHECK', async () => {
    const dir = await packaged();
    const text = readFileSync(join(dir, 'Dockerfile'), 'utf8');
    expect(lintDockerfile(text)).toEqual([]);
    expect(text).toMatch(/^USER node$/m);
    expect(text).toMatch(/^HEALTHCHECK .*\n.*\/v2\/health\/ready/m);
    expect(text).toMatch(/ONNXRUNTIME_NODE_INSTALL=skip/);
    expect(readFileSync(join(dir, '.dockerignore'), 'utf8')).toMatch(/^node_modules$/m);
  });

  it('writes a Triton repository whose config.pbtxt parses, batching carried over', async () => {
    const dir = await packaged();
    expect(existsSync(join(dir, 'triton/tiny/1/model.onnx'))).toBe(true);
    const config = parseTextProto(readFileSync(join(dir, 'triton/tiny/config.pbtxt'), 'utf8'));
    expect(config).toMatchObject({
      name: ['tiny'],
      backend: ['onnxruntime'],
      max_batch_size: [8],
      input: [{ name: ['input'], data_type: ['TYPE_FP32'], dims: [3, 16, 16] }],
      output: [{ name: ['output'], data_type: ['TYPE_FP32'], dims: [5] }],
      dynamic_batching: [{ max_queue_delay_microseconds: [2000] }],
    });
  });
});

describe('package: bad input', () => {
  it('refuses a non-empty --out without overwrite, and a deploy target with the cli template; writes nothing', async () => {
    const onnx = modelFolder('tiny_cnn.onnx');
    const out = tmp('busy');
    writeFileSync(join(out, 'keep.txt'), 'mine');
    await expect(packageModels([onnx], { out, memoryBytes: 1 })).rejects.toMatchObject({ code: 'ERR_OUTPUT_EXISTS' });
    expect(readFileSync(join(out, 'keep.txt'), 'utf8')).toBe('mine');
    const fresh = join(tmp('cli'), 'b');
    await expect(
      packageModels([onnx], { out: fresh, template: 'cli', targets: ['docker'], memoryBytes: 1 }),
    ).rejects.toMatchObject({ code: 'ERR_USAGE' });
    expect(existsSync(fresh)).toBe(false);
    await expect(packageModels([join(out, 'missing.onnx')], { out: fresh })).rejects.toMatchObject({
      code: 'ERR_FILE_NOT_FOUND',
    });
  });
});

/**
 * A small parser for protobuf text format (what Triton's config.pbtxt is): `field: value`, `field { … }`,
 * `field [ v, v ]` and `field [ { … }, { … } ]`. Every field maps to the list of its values (repeated or
 * not), so tests can compare shapes without a schema. Throws on anything else.
 */
type Value = string | number | Message;
type Message = { [field: string]: Value[] };

function parseTextProto(text: string): Message {
  const tokens = text.replace(/#.*$/gm, '').match(/"(?:[^"\\]|\\.)*"|[{}[\]:,]|[^\s{}[\]:,"]+/g) ?? [];
  let pos = 0;
  const peek = (): string | undefined => tokens[pos];
  const take = (expected?: string): string => {
    const token = tokens[pos++];
    if (token === undefined || (expected !== undefined && token !== expected)) {
      throw new SyntaxError(`expected ${expected ?? 'a token'} at token ${pos}, got ${token ?? 'end of input'}`);
    }
    return token;
  };
  const scalar = (token: string): string | number => {
    if (token.startsWith('"')) return JSON.parse(token) as string;
    if (/^-?\d+(\.\d+)?([eE][-+]?\d+)?$/.test(token)) return Number(token);
    if (/^[A-Za-z_][A-Za-z0-9_]*$/.test(token)) return token; // enum constant
    throw new SyntaxError(`bad value ${token}`);
  };
  const value = (): Value => (peek() === '{' ? message(true) : scalar(take()));
  function message(braced: boolean): Message {
    if (braced) take('{');
    const out: Message = {};
    while (peek() !== undefined && peek() !== '}') {
      const field = take();
      if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(field)) throw new SyntaxError(`bad field name ${field}`);
      if (peek() === ':') take(':');
      const values = (out[field] ??= []);
      if (peek() === '[') {
        take('[');
        while (peek() !== ']') {
          values.push(value());
          if (peek() === ',') take(',');
        }
        take(']');
      } else values.push(value());
    }
    if (braced) take('}');
    return out;
  }
  const result = message(false);
  if (pos !== tokens.length) throw new SyntaxError(`unexpected ${peek()} at token ${pos}`);
  return result;
}
