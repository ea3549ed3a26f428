import { existsSync, readFileSync } from 'node:fs';
import { OxvError, type TensorInfo } from '@oxidizedvision/runtime';
import type { ResolvedPreprocess, ModelKind } from '../config/types.js';
import { writeFileAtomic } from '../internal/files.js';

export const MODEL_CARD_VERSION = 1;

export interface CardFile {
  /** File name, relative to the card's folder, so a model folder can be moved or packaged whole. */
  file: string;
  sha256: string;
  bytes: number;
}

/**
 * Everything later stages need to use a converted model without the config or PyTorch: the image
 * endpoints read `preprocess`, validate reads `source` and `weights`, the registry stores a summary.
 */
export interface ModelCard {
  card_version: number;
  name: string;
  created_at: string;
  task: string | null;
  labels: string[] | null;
  /** From the ONNX graph as onnxruntime sees it; symbolic dimensions are strings. */
  inputs: TensorInfo[];
  outputs: TensorInfo[];
  /** Concrete shapes of the example inputs used for export (and validate's random inputs). */
  example_inputs: { name: string; shape: number[]; dtype: string }[];
  preprocess: ResolvedPreprocess;
  onnx: CardFile & { opset: number; exporter: string; external_data: string[]; dynamic_axes: string[] };
  torchscript: CardFile | null;
  /** The exact weights exported, kept when the config had no checkpoint (a random init is not reproducible). */
  weights: CardFile | null;
  source: {
    kind: ModelKind;
    path: string;
    class_name: string | null;
    arch: string | null;
    init_args: Record<string, unknown>;
    checkpoint: string | null;
    checkpoint_sha256: string | null;
    config: string;
  };
  pytorch: { torch_version: string; parameters: { total: number; trainable: number; buffers: number } };
  python: { executable: string; version: string };
  converter: { name: 'oxidizedvision'; version: string };
}

export function writeModelCard(path: string, card: ModelCard): void {
  writeFileAtomic(path, `${JSON.stringify(card, null, 2)}\n`);
}

export function readModelCard(path: string): ModelCard {
  if (!existsSync(path)) {
    throw new OxvError('ERR_MODEL_CARD', `No model card at ${path}`, {
      hint: 'Run "oxidizedvision convert <config>" first: it writes the .onnx and its card.',
    });
  }
  let card: unknown;
  try {
    card = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new OxvError('ERR_MODEL_CARD', `Model card ${path} is not valid JSON: ${(err as Error).message}`, {
      cause: err,
    });
  }
  const c = card as Partial<ModelCard>;
  if (
    typeof c !== 'object' ||
    c === null ||
    c.card_version !== MODEL_CARD_VERSION ||
    !Array.isArray(c.inputs) ||
    !c.onnx
  ) {
    throw new OxvError(
      'ERR_MODEL_CARD',
      `Model card ${path} is malformed or of an unknown version (expected card_version ${MODEL_CARD_VERSION})`,
      { hint: 'Re-run convert to regenerate it.' },
    );
  }
  return card as ModelCard;
}
