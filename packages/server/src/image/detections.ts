import type { FastifyRequest } from 'fastify';
import {
  OxvError,
  decodeDetections,
  detectionLabels,
  type Detection,
  type ModelCard,
  type Tensor,
} from '@oxidizedvision/runtime';
import type { Restore } from './to-image.js';

export interface DetectionQuery {
  scoreThreshold: number;
  maxDetections: number | undefined;
  iouThreshold: number | null;
}

/** The same default as `run --score-threshold`. */
const DEFAULT_SCORE_THRESHOLD = 0.5;

function unitInterval(raw: string | undefined, name: string): number | undefined {
  if (raw === undefined) return undefined;
  const v = Number(raw);
  if (raw.trim() === '' || !(v >= 0 && v <= 1)) {
    throw new OxvError('ERR_BAD_REQUEST', `${name} must be a number from 0 to 1, got "${raw}"`);
  }
  return v;
}

/** `?score_threshold=0.3&max_detections=10&nms_iou=0.5`, each optional, each checked. */
export function parseDetectionQuery(request: FastifyRequest): DetectionQuery {
  const q = request.query as { score_threshold?: string; max_detections?: string; nms_iou?: string };
  let maxDetections: number | undefined;
  if (q.max_detections !== undefined) {
    maxDetections = Number(q.max_detections);
    if (!Number.isSafeInteger(maxDetections) || maxDetections < 1) {
      throw new OxvError('ERR_BAD_REQUEST', `max_detections must be a positive integer, got "${q.max_detections}"`);
    }
  }
  return {
    scoreThreshold: unitInterval(q.score_threshold, 'score_threshold') ?? DEFAULT_SCORE_THRESHOLD,
    maxDetections,
    iouThreshold: unitInterval(q.nms_iou, 'nms_iou') ?? null,
  };
}

/**
 * A detector's outputs as the detections `run --json` reports for a file: the runtime's decodeDetections,
 * boxes in the uploaded image's pixels, labels from the card (or COCO's for torchvision's detectors).
 */
export function detectionsAnswer(
  outputs: Record<string, Tensor>,
  card: ModelCard,
  restore: Restore,
  query: DetectionQuery,
): { width: number; height: number; detections: Detection[] } {
  const detections = decodeDetections(outputs, {
    ...query,
    labels: detectionLabels(card),
    placement: restore.placement,
    width: restore.width,
    height: restore.height,
  });
  return { width: restore.width, height: restore.height, detections };
}
