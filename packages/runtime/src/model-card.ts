import { OxvError } from './errors.js';
import type { PreprocessSpec } from './image/types.js';
import type { TensorInfo } from './runner.js';

/** Preprocessing as recorded in a card; `size` is null when the model input has no fixed spatial size. */
export type CardPreprocess = Omit<PreprocessSpec, 'size'> & { size: [number, number] | null };

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
  preprocess: CardPreprocess;
  onnx: CardFile & { opset: number; exporter: string; external_data: string[]; dynamic_axes: string[] };
  torchscript: CardFile | null;
  /** The exact weights exported, kept when the config had no checkpoint (a random init is not reproducible). */
  weights: CardFile | null;
  source: {
    kind: 'python' | 'torchscript' | 'torchvision';
    path: string;
    class_name: string | null;
    arch: string | null;
    init_args: Record<string, unknown>;
    checkpoint: string | null;
    checkpoint_sha256: string | null;
    config: string;
    /** Seed of the redrawn weights when convert ran with randomize_weights (absent in older cards). */
    randomized_weights_seed?: number | null;
  };
  pytorch: { torch_version: string; parameters: { total: number; trainable: number; buffers: number } };
  python: { executable: string; version: string };
  converter: { name: 'oxidizedvision'; version: string };
}

/**
 * Parses and checks a model card's JSON text. Isomorphic: the server, the CLI and the browser page all
 * read cards through this. `source` names the file or URL in error messages.
 */
export function parseModelCard(text: string, source: string): ModelCard {
  let card: unknown;
  try {
    card = JSON.parse(text);
  } catch (err) {
    throw new OxvError('ERR_MODEL_CARD', `Model card ${source} is not valid JSON: ${(err as Error).message}`, {
      cause: err,
    });
  }
  const c = card as Partial<ModelCard> | null;
  if (
    typeof c !== 'object' ||
    c === null ||
    c.card_version !== MODEL_CARD_VERSION ||
    !Array.isArray(c.inputs) ||
    !c.onnx
  ) {
    throw new OxvError(
      'ERR_MODEL_CARD',
      `Model card ${source} is malformed or of an unknown version (expected card_version ${MODEL_CARD_VERSION})`,
      { hint: 'Re-run convert to regenerate it.' },
    );
  }
  return card as ModelCard;
}
