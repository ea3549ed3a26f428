/**
 * The models of the `oxidizedvision serve --ui` that served this page: its `api/models` listing (beside the
 * page, so it works under /ui/ and nowhere else) and the download of one model's variants and cards.
 * A page served statically has no such listing; that is a normal state, not an error.
 */
import { OxvError, parseModelCard, type ErrorCode, type ModelCard } from '@oxidizedvision/runtime';

export interface ServerFile {
  file: string;
  bytes: number;
  url: string;
}

export interface ServerVariant {
  variant: string;
  model: ServerFile;
  card: ServerFile | null;
}

export interface ServerModel {
  name: string;
  version: string;
  task: string | null;
  variants: ServerVariant[];
}

export type ServerListing =
  { available: true; models: ServerModel[] } | { available: false; needsToken: boolean; reason: string };

export interface DownloadedVariant {
  variant: string;
  model: Uint8Array;
  card: ModelCard | null;
}

const headers = (token: string): HeadersInit => (token ? { authorization: `Bearer ${token}` } : {});

const unavailable = (reason: string, needsToken = false): ServerListing => ({ available: false, needsToken, reason });

export async function listServerModels(base: URL, token: string): Promise<ServerListing> {
  let response: Response;
  try {
    response = await fetch(new URL('api/models', base), { headers: headers(token), cache: 'no-store' });
  } catch (error) {
    return unavailable(`No server answered (${(error as Error).message}); the server's models need it online.`);
  }
  if (response.status === 404) {
    return unavailable(
      'No server repository here: this page was not opened through "oxidizedvision serve --ui", so only the example and your own files can be loaded.',
    );
  }
  if (response.status === 401) {
    const why = token ? 'the server refused this token' : 'the server needs its inference token';
    return unavailable(`${why}: enter it below and press "Refresh list".`, true);
  }
  if (!response.ok) return unavailable(`The server's model list failed: HTTP ${response.status}.`);
  const body = (await response.json().catch(() => null)) as { models?: ServerModel[] } | null;
  if (!Array.isArray(body?.models)) return unavailable("The server's model list could not be read.");
  return { available: true, models: body.models };
}

async function download(file: ServerFile, token: string): Promise<Uint8Array> {
  let response: Response;
  try {
    response = await fetch(new URL(file.url, location.origin), { headers: headers(token) });
  } catch (error) {
    throw new OxvError('ERR_BACKEND_UNAVAILABLE', `no server answered for ${file.file}: ${(error as Error).message}`);
  }
  if (!response.ok) {
    const code: ErrorCode =
      response.status === 401 ? 'ERR_UNAUTHORIZED' : response.status === 404 ? 'ERR_FILE_NOT_FOUND' : 'ERR_MODEL_LOAD';
    throw new OxvError(code, `could not download ${file.file} from the server: HTTP ${response.status}`);
  }
  return new Uint8Array(await response.arrayBuffer());
}

/** Every variant's .onnx and card, in the listing's order (the served file first). */
export async function downloadVariants(
  model: ServerModel,
  token: string,
  onFile: (done: number, of: number) => void,
): Promise<DownloadedVariant[]> {
  const of = model.variants.reduce((n, v) => n + (v.card ? 2 : 1), 0);
  let done = 0;
  const fetched = async (file: ServerFile): Promise<Uint8Array> => {
    const bytes = await download(file, token);
    onFile(++done, of);
    return bytes;
  };
  const result: DownloadedVariant[] = [];
  for (const v of model.variants) {
    const bytes = await fetched(v.model);
    const card = v.card ? parseModelCard(new TextDecoder().decode(await fetched(v.card)), v.card.file) : null;
    result.push({ variant: v.variant, model: bytes, card });
  }
  return result;
}

export const megabytes = (bytes: number): string => `${(bytes / 1e6).toFixed(1)} MB`;
