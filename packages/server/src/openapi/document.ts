import { OPERATIONS, type Operation } from './operations.js';
import { SCHEMAS } from './schemas.js';

const ERRORS = {
  '400': 'Bad request: malformed JSON or binary framing, wrong input name, shape, datatype or element count',
  '401': 'Missing or wrong bearer token',
  '404': 'Unknown model or version',
  '413': 'Body larger than the body limit',
  '503': 'Model not ready, queue full or draining (Retry-After)',
  '504': 'Request timed out',
};

function operation(op: Operation): object {
  const params = [...op.path.matchAll(/\{(\w+)\}/g)].map((m) => ({
    name: m[1],
    in: 'path',
    required: true,
    schema: { type: 'string' },
  }));
  const content = (type: string, schema: string) => ({
    [type]: { schema: { $ref: `#/components/schemas/${schema}` } },
  });
  const failures = op.tag === 'health' || op.path === '/metrics' || op.path === '/docs' ? {} : ERRORS;
  return {
    summary: op.summary,
    tags: [op.tag],
    ...(params.length ? { parameters: params } : {}),
    ...(op.auth === 'none'
      ? { security: [] }
      : { security: [{ [op.auth === 'admin' ? 'adminToken' : 'inferenceToken']: [] }] }),
    ...(op.body ? { requestBody: { content: content(op.body.type, op.body.schema) } } : {}),
    responses: {
      [String(op.ok.status)]: { description: 'OK', content: content(op.ok.type, op.ok.schema) },
      ...Object.fromEntries(
        Object.entries(failures).map(([status, description]) => [
          status,
          { description, content: content('application/json', 'Error') },
        ]),
      ),
    },
  };
}

/** The OpenAPI 3 description served at `/docs`. */
export function openApiDocument(info: { name: string; version: string }): object {
  const paths: Record<string, Record<string, object>> = {};
  for (const op of OPERATIONS) (paths[op.path] ??= {})[op.method] = operation(op);
  return {
    openapi: '3.0.3',
    info: {
      title: `${info.name} inference server`,
      version: info.version,
      description:
        'Open Inference Protocol v2 (KServe v2) with Triton binary tensor, configuration, statistics and repository extensions.',
    },
    paths,
    components: {
      schemas: SCHEMAS,
      securitySchemes: {
        inferenceToken: {
          type: 'http',
          scheme: 'bearer',
          description: 'Only when the server was started with an inference token',
        },
        adminToken: {
          type: 'http',
          scheme: 'bearer',
          description: 'Repository API; without a token only local clients may call it',
        },
      },
    },
  };
}

/** Paths and methods the document lists, for the test that keeps it in step with the real routes. */
export const DOCUMENTED_ROUTES: readonly string[] = OPERATIONS.map((op) => `${op.method.toUpperCase()} ${op.path}`);
