import {
  OxvError,
  detectionLabels,
  hasDetectionOutputs,
  segmentationOutput,
  type ModelCard,
  type PreprocessSpec,
  type TensorInfo,
} from '@oxidizedvision/runtime';

export type Task = 'image-to-image' | 'classification' | 'segmentation' | 'detection';

export interface ModelSpec {
  name: string;
  task: Task;
  labels: readonly string[] | null;
  preprocess: PreprocessSpec;
  /** The output the task reads: torchvision segmentation's `out`, else the first (detection reads all). */
  outputName: string;
}

/** Used when a model comes without its card, or the card leaves the size free: the denoiser's training size. */
const DEFAULT_SIZE = 256;

/**
 * What the page needs to feed and read a model: the card's preprocessing when there is a card, otherwise
 * a guess from the input shape (0–1 pixels, NCHW when dim 1 is 1 or 3). Refuses inputs that are not
 * rank-4 images up front, with the shape, rather than letting ORT fail on the first run.
 */
export function resolveModelSpec(
  name: string,
  inputs: TensorInfo[],
  outputs: TensorInfo[],
  card: ModelCard | null,
): ModelSpec {
  const input = inputs[0];
  if (!input || input.shape.length !== 4) {
    const shape = input ? `[${input.shape.join(', ')}]` : 'none';
    throw new OxvError(
      'ERR_INPUT_SHAPE',
      `wrong input rank: the model's input "${input?.name ?? '?'}" is ${shape} (rank ${input?.shape.length ?? 0}); this page feeds images as rank 4, [1, C, H, W] or [1, H, W, C]`,
    );
  }
  const shape = input.shape;
  const layout = card?.preprocess.layout ?? (shape[1] === 1 || shape[1] === 3 ? 'NCHW' : 'NHWC');
  const [h, w] = layout === 'NCHW' ? [shape[2], shape[3]] : [shape[1], shape[2]];
  const fixed = typeof h === 'number' && typeof w === 'number' ? ([h, w] as const) : null;
  const size = card?.preprocess.size ?? fixed ?? ([DEFAULT_SIZE, DEFAULT_SIZE] as const);
  const channels = layout === 'NCHW' ? shape[1] : shape[3];
  const preprocess: PreprocessSpec = card
    ? { ...card.preprocess, size }
    : {
        size,
        resize: 'stretch',
        scale: 1 / 255,
        mean: [0],
        std: [1],
        layout,
        channel_order: channels === 1 ? 'GRAY' : 'RGB',
      };
  const task = resolveTask(card, outputs);
  const labels = task === 'detection' ? detectionLabels(card) : (card?.labels ?? null);
  const main = task === 'segmentation' ? segmentationOutput(outputs) : outputs[0];
  return { name: card?.name ?? name, task, labels, preprocess, outputName: main?.name ?? '' };
}

function resolveTask(card: ModelCard | null, outputs: TensorInfo[]): Task {
  const task = card?.task;
  if (task === 'classification' || task === 'segmentation' || task === 'image-to-image' || task === 'detection')
    return task;
  if (hasDetectionOutputs(outputs)) return 'detection';
  const output = segmentationOutput(outputs);
  const rank = output?.shape.length ?? 0;
  if (rank <= 2) return 'classification';
  const c = output!.shape[1];
  return c === 1 || c === 3 ? 'image-to-image' : 'segmentation';
}
