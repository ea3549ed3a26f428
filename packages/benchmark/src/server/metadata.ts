import { OxvError, type TensorInfo } from '@oxidizedvision/runtime';
import { checkBatchSizes, impliedBatchSizes, templatesFromOnnx, type InputTemplate } from '../inputs.js';
import type { InputShapeOverride } from '../types.js';
import { OIP_DATATYPES, type OipModelMetadata } from './types.js';

/** `<base>/v2/models/<model><suffix>`, keeping any path prefix the base URL has (a gateway, KServe). */
export function modelUrl(base: string, model: string, suffix = ''): URL {
  let url: URL;
  try {
    url = new URL(base);
  } catch {
    throw new OxvError('ERR_USAGE', `--server must be an http(s) URL, got "${base}"`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new OxvError('ERR_USAGE', `--server must be an http(s) URL, got "${base}"`);
  }
  if (!url.pathname.endsWith('/')) url.pathname += '/';
  return new URL(`v2/models/${encodeURIComponent(model)}${suffix}`, url);
}

/** Why a fetch failed, in words: undici hides the useful part (ECONNREFUSED, ENOTFOUND) in `cause`. */
export function describeFetchError(err: unknown): string {
  if (err instanceof Error && (err.name === 'TimeoutError' || err.name === 'AbortError')) return 'timed out';
  const cause = (err as { cause?: { code?: string; message?: string } }).cause;
  const message = err instanceof Error ? err.message : String(err);
  return cause ? `${message}: ${cause.code ?? cause.message}` : message;
}

export async function fetchModelMetadata(base: string, model: string): Promise<OipModelMetadata> {
  const url = modelUrl(base, model);
  let response: Response;
  try {
    response = await fetch(url, { signal: AbortSignal.timeout(30_000) });
  } catch (err) {
    throw new OxvError('ERR_BACKEND_UNAVAILABLE', `cannot reach ${url.origin}: ${describeFetchError(err)}`, {
      hint: 'Is the server running, and is --server its base URL (e.g. http://127.0.0.1:8000)?',
    });
  }
  const text = await response.text();
  if (response.status === 404) {
    throw new OxvError('ERR_MODEL_NOT_FOUND', `the server has no model "${model}" (GET ${url.pathname} → 404)`, {
      hint: `GET ${new URL('/v2/repository/index', url).pathname} or the server's model list shows what it serves`,
    });
  }
  if (!response.ok) {
    throw new OxvError(
      'ERR_BACKEND_UNAVAILABLE',
      `GET ${url.pathname} → HTTP ${response.status}: ${text.slice(0, 300)}`,
    );
  }
  let metadata: OipModelMetadata;
  try {
    metadata = JSON.parse(text) as OipModelMetadata;
  } catch {
    metadata = {} as OipModelMetadata;
  }
  if (!Array.isArray(metadata.inputs) || metadata.inputs.length === 0) {
    throw new OxvError(
      'ERR_BACKEND_UNAVAILABLE',
      `GET ${url.pathname} did not return Open Inference Protocol model metadata with inputs`,
    );
  }
  return metadata;
}

/**
 * Metadata inputs as input templates: the protocol's -1 is a dynamic dim, exactly what a symbolic ONNX
 * dim is, so the same rules apply (a dynamic first dim is the batch; other dynamic dims need --input-shape).
 */
export function serverInputTemplates(
  metadata: OipModelMetadata,
  overrides: readonly InputShapeOverride[],
): { templates: InputTemplate[]; batchSizes: (requested: number[] | undefined) => number[] } {
  for (const input of metadata.inputs) {
    if (!(input.datatype in OIP_DATATYPES)) {
      throw new OxvError(
        'ERR_USAGE',
        `input "${input.name}" has datatype ${input.datatype}; the load generator fills ${Object.keys(OIP_DATATYPES).join(', ')}`,
      );
    }
  }
  const infos: TensorInfo[] = metadata.inputs.map((i) => ({
    name: i.name,
    dtype: i.datatype,
    shape: i.shape.map((d) => (d < 0 ? '?' : d)),
  }));
  const templates = templatesFromOnnx(infos, overrides);
  return {
    templates,
    batchSizes: (requested) => {
      const sizes = requested ?? impliedBatchSizes(templates, overrides) ?? [1];
      checkBatchSizes(templates, sizes, `model "${metadata.name}"`);
      return sizes;
    },
  };
}
