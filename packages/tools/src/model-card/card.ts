import { existsSync, readFileSync } from 'node:fs';
import { OxvError, parseModelCard, type ModelCard } from '@oxidizedvision/runtime';
import { writeFileAtomic } from '../internal/files.js';

export function writeModelCard(path: string, card: ModelCard): void {
  writeFileAtomic(path, `${JSON.stringify(card, null, 2)}\n`);
}

export function readModelCard(path: string): ModelCard {
  if (!existsSync(path)) {
    throw new OxvError('ERR_MODEL_CARD', `No model card at ${path}`, {
      hint: 'Run "oxidizedvision convert <config>" first: it writes the .onnx and its card.',
    });
  }
  return parseModelCard(readFileSync(path, 'utf8'), path);
}
