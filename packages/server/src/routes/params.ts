import type { FastifyRequest } from 'fastify';

export interface ModelParams {
  model: string;
  version?: string;
}

/** Model name and optional version from a `/v2/models/:model[/versions/:version]/…` path. */
export function modelParams(request: FastifyRequest): ModelParams {
  const params = request.params as Partial<ModelParams>;
  return { model: params.model ?? '', ...(params.version === undefined ? {} : { version: params.version }) };
}

/** Both spellings of a model route: latest version, and `/versions/:version`. */
export function withVersions(suffix: string): string[] {
  return [`/v2/models/:model${suffix}`, `/v2/models/:model/versions/:version${suffix}`];
}
