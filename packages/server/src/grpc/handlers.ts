import type { UntypedServiceImplementation } from '@grpc/grpc-js';
import { OxvError } from '@oxidizedvision/runtime';
import { EXTENSIONS, modelConfigBody, modelMetadataBody } from '../protocol/metadata.js';
import { checkLoadParameters, repositoryIndex } from '../protocol/repository.js';
import { statsBody } from '../protocol/stats.js';
import { deadlineOf, unary, type GrpcScope } from './call.js';
import { inferOne, streamInfer, type OpenStreams } from './infer.js';
import type { ModelInferRequest } from './messages.js';

interface ModelRequest {
  name: string;
  version: string;
}

interface RepositoryRequest {
  repository_name: string;
  model_name: string;
  parameters: Record<string, unknown>;
}

const versionOf = (request: ModelRequest): string | undefined => (request.version === '' ? undefined : request.version);

/** Triton answers one repository: a named other one is the caller's mistake, not silently this one. */
function checkRepository(request: { repository_name: string }): void {
  if (request.repository_name !== '') {
    throw new OxvError(
      'ERR_BAD_REQUEST',
      `repository_name "${request.repository_name}" is not served; leave it empty (this server has one repository)`,
    );
  }
}

function modelName(request: { model_name: string }): string {
  if (request.model_name === '') throw new OxvError('ERR_BAD_REQUEST', 'model_name is empty');
  return request.model_name;
}

/**
 * `inference.GRPCInferenceService`, each RPC answered from the same protocol code as its HTTP route
 * (protocol/metadata.ts, stats.ts, repository.ts) so the two can never disagree.
 */
export function grpcHandlers(scope: GrpcScope, streams: OpenStreams): UntypedServiceImplementation {
  const { context } = scope;
  const { manager } = context;
  const ready = (): boolean => !context.draining && manager.isReady();
  return {
    // Live while the process can answer at all, draining included (as GET /v2/health/live).
    ServerLive: unary(scope, 'ServerLive', 'open', () => ({ live: true })),
    ServerReady: unary(scope, 'ServerReady', 'open', () => ({ ready: ready() })),
    ServerMetadata: unary(scope, 'ServerMetadata', 'open', () => ({
      name: context.options.name,
      version: context.options.version,
      extensions: [...EXTENSIONS],
    })),
    ModelReady: unary(scope, 'ModelReady', 'inference', (request: ModelRequest) => {
      const meta = manager.metadata(request.name, versionOf(request));
      return { ready: meta.state === 'READY' && !context.draining };
    }),
    ModelMetadata: unary(scope, 'ModelMetadata', 'inference', (request: ModelRequest) =>
      modelMetadataBody(manager.metadata(request.name, versionOf(request))),
    ),
    ModelConfig: unary(scope, 'ModelConfig', 'inference', (request: ModelRequest) => ({
      config: modelConfigBody(manager.metadata(request.name, versionOf(request))),
    })),
    ModelStatistics: unary(scope, 'ModelStatistics', 'inference', (request: ModelRequest) => {
      if (request.name === '') return statsBody(manager.stats());
      // metadata() first: an unknown model is NOT_FOUND, not an empty list.
      manager.metadata(request.name, versionOf(request));
      return statsBody(manager.stats(request.name, versionOf(request)));
    }),
    ModelInfer: unary(scope, 'ModelInfer', 'inference', (request: ModelInferRequest, call) =>
      inferOne(scope, request, deadlineOf(call)),
    ),
    ModelStreamInfer: streamInfer(scope, streams),
    RepositoryIndex: unary(
      scope,
      'RepositoryIndex',
      'admin',
      (request: { repository_name: string; ready: boolean }) => {
        checkRepository(request);
        return { models: repositoryIndex(manager, request.ready) };
      },
    ),
    RepositoryModelLoad: unary(scope, 'RepositoryModelLoad', 'admin', async (request: RepositoryRequest) => {
      checkRepository(request);
      checkLoadParameters(Object.keys(request.parameters));
      await manager.load(modelName(request));
      return {};
    }),
    RepositoryModelUnload: unary(scope, 'RepositoryModelUnload', 'admin', async (request: RepositoryRequest) => {
      checkRepository(request);
      await manager.unload(modelName(request));
      return {};
    }),
  };
}
