import type { FastifyInstance } from 'fastify';
import { buildServer, type BuildServerOptions } from '../../src/app.js';
import type { BatchingConfig, ModelManager } from '../../src/models/types.js';
import { createModelManager, DEFAULT_BATCHING } from '../../src/models/index.js';

export interface TestModel {
  name: string;
  path: string;
  maxBatchSize?: number;
}

export interface TestServer {
  app: FastifyInstance;
  manager: ModelManager;
  /** Base URL once listen() was called (real HTTP on a free port). */
  url: string;
  close(): Promise<void>;
}

/** The worker script runs from the build: tests import the TypeScript sources, workers need JavaScript. */
const WORKER_URL = new URL('../../dist/workers/inference-worker.js', import.meta.url);

/** The real model manager (workers, batching), one thread per instance so test files can run side by side. */
export function createTestManager(models: TestModel[], batching: Partial<BatchingConfig> = {}): ModelManager {
  return createModelManager({
    models: models.map((m) => ({
      name: m.name,
      source: { kind: 'file', path: m.path },
      batching: {
        ...DEFAULT_BATCHING,
        maxBatchSize: m.maxBatchSize ?? 8,
        maxQueueSize: 64,
        timeoutMs: 10_000,
        ...batching,
      },
      instances: { count: 1, threads: 1 },
    })),
    workerUrl: WORKER_URL,
  });
}

/** A started manager and a server over it; `listen: true` also binds 127.0.0.1 on a free port. */
export async function startServer(
  models: TestModel[],
  options: Omit<BuildServerOptions, 'manager'> & { listen?: boolean } = {},
): Promise<TestServer> {
  const { listen, ...serverOptions } = options;
  const manager = createTestManager(models);
  await manager.start();
  const app = buildServer({ processMetrics: false, ...serverOptions, manager });
  const url = listen ? await app.listen({ host: '127.0.0.1', port: 0 }) : '';
  return {
    app,
    manager,
    url,
    async close() {
      await app.close();
      await manager.close();
    },
  };
}
