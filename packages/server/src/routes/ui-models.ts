import { open, type FileHandle } from 'node:fs/promises';
import type { FastifyInstance } from 'fastify';
import { OxvError } from '@oxidizedvision/runtime';
import type { ModelManager } from '../models/types.js';
import { isolate } from './ui.js';
import { findVariants, type UiFile, type UiVariant } from './ui-variants.js';

export const UI_MODELS_URL = '/ui/api/models';

interface ServedModel {
  name: string;
  version: string;
  task: string | null;
  variants: UiVariant[];
}

/** The model's READY serving version, when it was loaded from a file, with its browser-loadable variants. */
async function servedModel(manager: ModelManager, name: string): Promise<ServedModel | null> {
  const meta = manager.metadata(name);
  if (meta.state !== 'READY' || !meta.file) return null;
  const variants = await findVariants(meta.file);
  return variants.length === 0 ? null : { name, version: meta.version, task: meta.card?.task ?? null, variants };
}

async function servedModels(manager: ModelManager): Promise<ServedModel[]> {
  const names = [...new Set(manager.list().map((s) => s.name))];
  const models = await Promise.all(names.map((name) => servedModel(manager, name)));
  return models.filter((m) => m !== null);
}

const fileUrl = (model: ServedModel, file: UiFile): string =>
  `${UI_MODELS_URL}/${encodeURIComponent(model.name)}/versions/${encodeURIComponent(model.version)}/files/${encodeURIComponent(file.file)}`;

const publicFile = (model: ServedModel, file: UiFile) => ({
  file: file.file,
  bytes: file.bytes,
  url: fileUrl(model, file),
});

/**
 * `serve --ui` only: the models this server serves, as the browser page loads them. The listing names each
 * file with a URL and byte size; the file route streams exactly those files and nothing else (404 for any
 * other name, so no path reaches the disk from the URL). Both sit behind the inference token, like the
 * model routes whose metadata they reveal.
 */
export function uiModelRoutes(app: FastifyInstance): void {
  const { manager } = app.oxv;

  app.get(UI_MODELS_URL, async (_request, reply) => {
    const models = await servedModels(manager);
    return reply.header('cache-control', 'no-store').send({
      models: models.map((m) => ({
        name: m.name,
        version: m.version,
        task: m.task,
        variants: m.variants.map((v) => ({
          variant: v.variant,
          model: publicFile(m, v.model),
          card: v.card === null ? null : publicFile(m, v.card),
        })),
      })),
    });
  });

  app.get(`${UI_MODELS_URL}/:model/versions/:version/files/:file`, async (request, reply) => {
    const { model, version, file } = request.params as { model: string; version: string; file: string };
    const listed = await servedModel(manager, model);
    const files =
      listed?.version === version ? listed.variants.flatMap((v) => (v.card ? [v.model, v.card] : [v.model])) : [];
    const match = files.find((f) => f.file === file);
    if (match === undefined) {
      throw new OxvError(
        'ERR_FILE_NOT_FOUND',
        `no file "${file}" is listed for model "${model}" version "${version}"`,
        {
          hint: `GET ${UI_MODELS_URL} lists the files the page may download`,
        },
      );
    }
    if (match.content !== undefined) {
      return reply.header('cache-control', 'no-cache').type('application/json').send(match.content);
    }
    // Size from the open file, not the listing: a hot reload may have replaced it since.
    let handle: FileHandle;
    let size: number;
    try {
      handle = await open(match.path);
    } catch (error) {
      throw new OxvError('ERR_FILE_NOT_FOUND', `"${file}" of model "${model}" is gone from the server's folder`, {
        cause: error,
      });
    }
    try {
      size = (await handle.stat()).size;
    } catch (error) {
      await handle.close();
      throw error;
    }
    return reply
      .header('cache-control', 'no-cache')
      .header('content-length', String(size))
      .type(match.file.endsWith('.json') ? 'application/json' : 'application/octet-stream')
      .send(handle.createReadStream());
  });
}

/** onRequest hook of the model API: isolation headers first, so a refusal (401, 404) carries them too. */
export async function isolateUiApi(_request: unknown, reply: Parameters<typeof isolate>[0]): Promise<void> {
  isolate(reply);
}
