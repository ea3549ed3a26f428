import type { ModelCard } from '../model-card.js';
import type { TensorInfo } from '../runner.js';
import { COCO_CATEGORIES } from './coco-labels.js';
import { DETECTION_OUTPUTS } from './detection.js';

/** Whether a model's outputs are the detection contract's: `boxes`, `scores` and `labels`, by name. */
export function hasDetectionOutputs(outputs: readonly Pick<TensorInfo, 'name'>[]): boolean {
  const names = new Set(outputs.map((o) => o.name));
  return (
    names.has(DETECTION_OUTPUTS.boxes) && names.has(DETECTION_OUTPUTS.scores) && names.has(DETECTION_OUTPUTS.labels)
  );
}

/** torchvision's COCO detectors predict 91 ids (Keypoint R-CNN 2: background and person, ids 0 and 1 of COCO's). */
function isCocoDetector(card: Pick<ModelCard, 'source'>): boolean {
  if (card.source?.kind !== 'torchvision') return false;
  const classes = card.source.init_args?.['num_classes'];
  if (classes === undefined || classes === 91) return true;
  return classes === 2 && (card.source.arch ?? '').startsWith('keypointrcnn');
}

/**
 * Names for a detector's class ids: the card's `labels` (the user's config) when it has them, else COCO's
 * categories for a torchvision COCO detector, else none (ids are then shown as numbers).
 */
export function detectionLabels(card: Pick<ModelCard, 'labels' | 'source'> | null): readonly string[] | null {
  if (!card) return null;
  if (card.labels && card.labels.length > 0) return card.labels;
  return isCocoDetector(card) ? COCO_CATEGORIES : null;
}

/**
 * The output a segmentation task reads: torchvision's segmentation models return {out, aux}, both
 * [1, C, H, W], and only `out` is the prediction (aux is a training-time head). So `out` by name, else
 * the first rank-4 output, else the first.
 */
export function segmentationOutput<T extends Pick<TensorInfo, 'name' | 'shape'>>(outputs: readonly T[]): T | undefined {
  return outputs.find((o) => o.name === 'out') ?? outputs.find((o) => o.shape.length === 4) ?? outputs[0];
}
