import { existsSync } from 'node:fs';
import { extname } from 'node:path';
import { OxvError, type ModelCard } from '@oxidizedvision/runtime';
import { exportPaths } from '../config/export-paths.js';
import { loadConfig } from '../config/load.js';
import { readModelCard } from '../model-card/card.js';

export interface ModelTarget {
  onnx: string;
  /** The model card beside the .onnx file (`<stem>.card.json`), when there is one. */
  card: ModelCard | null;
  cardPath: string | null;
  /** The config the target was named by, if it was a config. */
  config: string | null;
}

/**
 * `profile` and `optimize` take either a config (its converted model) or a .onnx file (with its card
 * when convert wrote one beside it, which adds PyTorch's parameter count and the preprocessing).
 */
export function resolveModelTarget(path: string): ModelTarget {
  const ext = extname(path).toLowerCase();
  if (ext === '.yml' || ext === '.yaml') {
    const config = loadConfig(path);
    const paths = exportPaths(config);
    if (!existsSync(paths.onnx)) {
      throw new OxvError('ERR_FILE_NOT_FOUND', `${paths.onnx} does not exist`, {
        hint: `run "oxidizedvision convert ${path}" first`,
      });
    }
    return { onnx: paths.onnx, card: readModelCard(paths.card), cardPath: paths.card, config: config.file };
  }
  const cardPath = path.replace(/\.onnx$/i, '') + '.card.json';
  const card = existsSync(cardPath) ? readModelCard(cardPath) : null;
  return { onnx: path, card, cardPath: card ? cardPath : null, config: null };
}

/** Values of the symbolic input dims in the card's example inputs (what the model was exported with). */
export function dimsFromCard(card: ModelCard | null): Record<string, number> {
  const dims: Record<string, number> = {};
  if (!card) return dims;
  for (const input of card.inputs) {
    const example = card.example_inputs.find((e) => e.name === input.name);
    if (!example) continue;
    input.shape.forEach((d, i) => {
      if (typeof d === 'string' && example.shape[i] !== undefined) dims[d] = example.shape[i]!;
    });
  }
  return dims;
}
