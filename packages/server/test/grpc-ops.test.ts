import { status, type ServiceError } from '@grpc/grpc-js';
import { mkdirSync, mkdtempSync, copyFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { buildServer } from '../src/app.js';
import { shutdownServer } from '../src/lifecycle.js';
import { createModelManager, DEFAULT_BATCHING } from '../src/models/index.js';
import { startGrpcServer } from '../src/grpc/server.js';
import { callOn, createClient } from './grpc-support/client.js';
import { FIXTURES } from './http-support/fixtures.js';

const WORKER_URL = new URL('../dist/workers/inference-worker.js', import.meta.url);

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

interface Started {
  http: string;
  app: ReturnType<typeof buildServer>;
  call: <T = Record<string, unknown>>(method: string, request?: object, token?: string) => Promise<T>;
}

/** A listening HTTP server and a gRPC server over one manager, with the batching the test asks for. */
async function start(
  manager: ReturnType<typeof createModelManager>,
  options: Partial<Parameters<typeof buildServer>[0]> = {},
): Promise<Started> {
  await manager.start();
  const app = buildServer({ processMetrics: false, ...options, manager });
  const http = await app.listen({ host: '127.0.0.1', port: 0 });
  const grpc = await startGrpcServer(app, { host: '127.0.0.1', port: 0 });
  const client = createClient(grpc.port);
  cleanups.push(async () => {
    client.close();
    await grpc.close();
    await app.close();
    await manager.close();
  });
  return { http, app, call: (method, request, token) => callOn(client, method, request, token) };
}

const slowManager = (batching: Partial<typeof DEFAULT_BATCHING> = {}) =>
  createModelManager({
    models: [
      {
        name: 'slow',
        source: { kind: 'file', path: FIXTURES.slow },
        batching: { ...DEFAULT_BATCHING, maxBatchSize: 8, maxQueueSize: 64, timeoutMs: 10_000, ...batching },
        instances: { count: 1, threads: 1 },
      },
    ],
    workerUrl: WORKER_URL,
  });

const row = (value: number) => new Array<number>(16).fill(value);
const grpcSlow = (value: number) => ({
  model_name: 'slow',
  inputs: [{ name: 'x', datatype: 'FP32', shape: [1, 16], contents: { fp32_contents: row(value) } }],
});
const httpSlow = (url: string, value: number) =>
  fetch(`${url}/v2/models/slow/infer`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ inputs: [{ name: 'x', datatype: 'FP32', shape: [1, 16], data: row(value) }] }),
  });
const failure = (promise: Promise<unknown>) =>
  promise.then(
    () => {
      throw new Error('the call succeeded');
    },
    (error: ServiceError) => error,
  );

interface Stats {
  model_stats: { execution_count: string; inference_count: string }[];
}

describe('gRPC beside HTTP', () => {
  it('puts an HTTP and a gRPC request into one dynamic batch, and counts both', async () => {
    const server = await start(slowManager({ maxQueueDelayMs: 300 }));
    const [http, grpc] = await Promise.all([
      httpSlow(server.http, 1),
      server.call<{ outputs: { contents: { fp32_contents: number[] } }[] }>('ModelInfer', grpcSlow(5)),
    ]);
    expect(((await http.json()) as { outputs: { data: number[] }[] }).outputs[0]!.data).toEqual(row(2));
    expect(grpc.outputs[0]!.contents.fp32_contents).toEqual(row(10));

    // Two inferences in one execution: the batch held both protocols' requests (a warm-up is not counted).
    const stats = await server.call<Stats>('ModelStatistics', { name: 'slow' });
    expect(stats.model_stats[0]).toMatchObject({ inference_count: '2', execution_count: '1' });
    const http2 = (await (await fetch(`${server.http}/v2/models/slow/stats`)).json()) as {
      model_stats: { execution_count: number; inference_count: number }[];
    };
    expect(http2.model_stats[0]).toMatchObject({ inference_count: 2, execution_count: 1 });
  });

  it('answers RESOURCE_EXHAUSTED with retry-after when the queue is full, as HTTP answers 503', async () => {
    const server = await start(slowManager({ maxBatchSize: 1, maxQueueSize: 1 }));
    const calls = Array.from({ length: 6 }, (_, i) =>
      server.call('ModelInfer', grpcSlow(i)).then(
        () => null,
        (e) => e,
      ),
    );
    const errors = (await Promise.all(calls)).filter((e): e is ServiceError => e !== null);
    expect(errors.length).toBeGreaterThan(0);
    for (const error of errors) {
      expect(error.code).toBe(status.RESOURCE_EXHAUSTED);
      expect(error.details).toMatch(/queue/i);
      expect(error.metadata.get('x-error-code')).toEqual(['ERR_QUEUE_FULL']);
      expect(error.metadata.get('retry-after')).toHaveLength(1);
    }
  });

  it('finishes accepted gRPC requests on shutdown and refuses new ones with UNAVAILABLE', async () => {
    const server = await start(slowManager({ maxBatchSize: 1 }));
    const accepted = Array.from({ length: 4 }, (_, i) => server.call('ModelInfer', grpcSlow(i)));
    await new Promise((resolve) => setTimeout(resolve, 20));
    const stopping = shutdownServer(server.app, { timeoutMs: 10_000 });
    const late = await failure(server.call('ModelInfer', grpcSlow(9)));
    expect(late.code).toBe(status.UNAVAILABLE);
    expect(await server.call('ServerReady').catch(() => ({ ready: false }))).toEqual({ ready: false });
    await expect(Promise.all(accepted)).resolves.toHaveLength(4);
    expect(await stopping).toEqual({ drained: true });
  });
});

describe('gRPC repository API', () => {
  it('indexes, loads and unloads models with the admin token, and refuses without it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'oxv-grpc-repo-'));
    mkdirSync(join(dir, 'conv', '1'), { recursive: true });
    copyFileSync(FIXTURES.tinyConv, join(dir, 'conv', '1', 'model.onnx'));
    const manager = createModelManager({
      models: [],
      repository: {
        dir,
        controlMode: 'explicit',
        defaults: { batching: DEFAULT_BATCHING, instances: { count: 1, threads: 1 } },
      },
      workerUrl: WORKER_URL,
    });
    const server = await start(manager, { adminToken: 'admin' });

    const refused = await failure(server.call('RepositoryModelLoad', { model_name: 'conv' }));
    expect(refused.code).toBe(status.UNAUTHENTICATED);
    expect(refused.details).toMatch(/admin token/);

    await server.call('RepositoryModelLoad', { model_name: 'conv' }, 'admin');
    expect(await server.call('ModelReady', { name: 'conv' })).toEqual({ ready: true });
    const index = await server.call<{ models: { name: string; state: string }[] }>('RepositoryIndex', {}, 'admin');
    expect(index.models).toEqual([expect.objectContaining({ name: 'conv', state: 'READY' })]);

    await server.call('RepositoryModelUnload', { model_name: 'conv' }, 'admin');
    expect(await server.call('ModelReady', { name: 'conv' })).toEqual({ ready: false });

    const other = await failure(server.call('RepositoryIndex', { repository_name: 'elsewhere' }, 'admin'));
    expect(other.code).toBe(status.INVALID_ARGUMENT);
    expect(other.details).toMatch(/repository_name "elsewhere" is not served/);
    const unknown = await failure(server.call('RepositoryModelLoad', { model_name: 'nope' }, 'admin'));
    expect(unknown.code).toBe(status.NOT_FOUND);
  });
});
