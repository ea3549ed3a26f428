import { existsSync, statSync } from 'node:fs';
import { basename, extname, resolve } from 'node:path';
import { OxvError } from '@oxidizedvision/runtime';
import { exportPaths } from '../config/export-paths.js';
import { loadConfig } from '../config/load.js';
import { readModelCard } from '../model-card/card.js';
import { parseModelRef } from '../registry/model-ref.js';
import { openRegistry } from '../registry/open.js';
import type { ResolvedModel } from './types.js';

/** `<stem>.card.json` beside `<stem>.onnx`: where convert writes it. */
export const cardPathFor = (onnx: string): string => onnx.replace(/\.onnx$/i, '') + '.card.json';

function assertFile(path: string, hint?: string): void {
  if (!existsSync(path) || !statSync(path).isFile()) {
    throw new OxvError('ERR_FILE_NOT_FOUND', `model file not found: ${path}`, { hint, details: { file: path } });
  }
}

/**
 * A model reference as `run` and `package` take it: an .onnx file (its card beside it is optional here;
 * callers that need one say so), a YAML config (its converted model), or a registry name[:version].
 */
export function resolveModel(ref: string, registryHome?: string): ResolvedModel {
  const ext = extname(ref).toLowerCase();
  if (ext === '.onnx') {
    const onnx = resolve(ref);
    assertFile(onnx);
    const cardPath = cardPathFor(onnx);
    const card = existsSync(cardPath) ? readModelCard(cardPath) : null;
    return { name: basename(onnx, extname(onnx)), onnx, card, cardPath: card ? cardPath : null };
  }
  if (ext === '.yml' || ext === '.yaml') {
    const config = loadConfig(ref);
    const paths = exportPaths(config);
    assertFile(paths.onnx, `run "oxidizedvision convert ${ref}" first`);
    return {
      name: config.export.model_name,
      onnx: paths.onnx,
      card: existsSync(paths.card) ? readModelCard(paths.card) : null,
      cardPath: existsSync(paths.card) ? paths.card : null,
    };
  }
  const { name, version } = parseModelRef(ref);
  const registry = openRegistry({ home: registryHome, readonly: true });
  try {
    const entry = registry.getVersion(name, version);
    assertFile(entry.files.onnx.path);
    const cardPath = entry.files.card && existsSync(entry.files.card.path) ? entry.files.card.path : null;
    return { name, onnx: entry.files.onnx.path, card: cardPath ? readModelCard(cardPath) : null, cardPath };
  } finally {
    registry.close();
  }
}
