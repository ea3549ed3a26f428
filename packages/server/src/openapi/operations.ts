/** Every route the server has, in the order docs/serving.md describes them: the source of the OpenAPI paths. */
export type Auth = 'none' | 'inference' | 'admin';
export interface Operation {
  method: 'get' | 'post';
  path: string;
  summary: string;
  tag: string;
  auth: Auth;
  body?: { type: string; schema: string } | undefined;
  ok: { status: number; type: string; schema: string };
}

const json = (schema: string) => ({ status: 200, type: 'application/json', schema });
const jsonBody = (schema: string) => ({ type: 'application/json', schema });

/** An operation on a model's serving version, then the same one on `/versions/{version}` with its own summary. */
function withVersioned(op: Operation, versionSummary: string): Operation[] {
  return [op, { ...op, path: op.path.replace('{model}', '{model}/versions/{version}'), summary: versionSummary }];
}

export const OPERATIONS: Operation[] = [
  {
    method: 'get',
    path: '/v2/health/live',
    summary: 'Server liveness (200 while the process answers)',
    tag: 'health',
    auth: 'none',
    ok: json('Live'),
  },
  {
    method: 'get',
    path: '/v2/health/ready',
    summary: 'Server readiness: every model READY and not draining (else 503)',
    tag: 'health',
    auth: 'none',
    ok: json('Ready'),
  },
  { method: 'get', path: '/v2', summary: 'Server metadata', tag: 'health', auth: 'none', ok: json('ServerMetadata') },
  ...withVersioned(
    {
      method: 'get',
      path: '/v2/models/{model}',
      summary: 'Model metadata (latest version)',
      tag: 'models',
      auth: 'inference',
      ok: json('ModelMetadata'),
    },
    'Model metadata of one version',
  ),
  ...withVersioned(
    {
      method: 'get',
      path: '/v2/models/{model}/ready',
      summary: 'Model readiness (200 or 503)',
      tag: 'models',
      auth: 'inference',
      ok: json('ModelReady'),
    },
    'Model version readiness',
  ),
  ...withVersioned(
    {
      method: 'get',
      path: '/v2/models/{model}/config',
      summary: 'Triton model configuration (max_batch_size, dims, dynamic_batching)',
      tag: 'models',
      auth: 'inference',
      ok: json('Object'),
    },
    'Triton model configuration of one version',
  ),
  {
    method: 'get',
    path: '/v2/models/stats',
    summary: 'Triton statistics of every model',
    tag: 'models',
    auth: 'inference',
    ok: json('ModelStats'),
  },
  ...withVersioned(
    {
      method: 'get',
      path: '/v2/models/{model}/stats',
      summary: 'Triton statistics (counts and ns per phase)',
      tag: 'models',
      auth: 'inference',
      ok: json('ModelStats'),
    },
    'Triton statistics of one version',
  ),
  ...withVersioned(
    {
      method: 'post',
      path: '/v2/models/{model}/infer',
      summary: 'Inference: JSON, or binary tensors with Inference-Header-Content-Length',
      tag: 'inference',
      auth: 'inference',
      body: jsonBody('InferRequest'),
      ok: json('InferResponse'),
    },
    'Inference on one version',
  ),
  ...withVersioned(
    {
      method: 'post',
      path: '/v2/models/{model}/infer/image',
      summary:
        'PNG/JPEG/WebP in (raw or multipart); image out (image-to-image, segmentation), top-k JSON (classification) or detections JSON (detection: ?score_threshold, max_detections, nms_iou)',
      tag: 'inference',
      auth: 'inference',
      body: { type: 'image/*', schema: 'Binary' },
      ok: { status: 200, type: 'image/png', schema: 'Binary' },
    },
    'Image inference on one version',
  ),
  {
    method: 'post',
    path: '/v2/repository/index',
    summary: 'Every model version with its state and reason',
    tag: 'repository',
    auth: 'admin',
    body: jsonBody('Object'),
    ok: json('RepositoryIndex'),
  },
  {
    method: 'post',
    path: '/v2/repository/models/{model}/load',
    summary: 'Load (or reload) a model from its source',
    tag: 'repository',
    auth: 'admin',
    ok: { status: 200, type: 'application/json', schema: 'Empty' },
  },
  {
    method: 'post',
    path: '/v2/repository/models/{model}/unload',
    summary: 'Unload a model (in-flight requests finish)',
    tag: 'repository',
    auth: 'admin',
    ok: { status: 200, type: 'application/json', schema: 'Empty' },
  },
  {
    method: 'post',
    path: '/predict',
    summary: "The original's predict on the default (first) model",
    tag: 'original',
    auth: 'inference',
    body: jsonBody('PredictRequest'),
    ok: json('PredictResponse'),
  },
  {
    method: 'post',
    path: '/predict/{model}',
    summary: "The original's predict on a named model",
    tag: 'original',
    auth: 'inference',
    body: jsonBody('PredictRequest'),
    ok: json('PredictResponse'),
  },
  {
    method: 'get',
    path: '/health',
    summary: "The original's health summary",
    tag: 'original',
    auth: 'none',
    ok: json('Object'),
  },
  {
    method: 'get',
    path: '/models',
    summary: "The original's model list",
    tag: 'original',
    auth: 'inference',
    ok: json('Object'),
  },
  {
    method: 'get',
    path: '/metrics',
    summary: 'Prometheus metrics',
    tag: 'operations',
    auth: 'none',
    ok: { status: 200, type: 'text/plain', schema: 'Text' },
  },
  {
    method: 'get',
    path: '/docs',
    summary: 'This OpenAPI document',
    tag: 'operations',
    auth: 'none',
    ok: json('Object'),
  },
];
