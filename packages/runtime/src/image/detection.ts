import { OxvError } from '../errors.js';
import { toFloat64Array, type Tensor } from '../tensor.js';
import { batchedNms, type Box } from './nms.js';
import type { Placement } from './types.js';

/** One detected object, in the source image's pixels. */
export interface Detection {
  label: string;
  /** The model's class id (the `labels` output value) that `label` names. */
  class_id: number;
  score: number;
  box: Box;
  /** [x, y, score] per keypoint, for keypoint models; score is `keypoints_scores`, else the visibility. */
  keypoints?: [number, number, number][];
}

export interface DecodeDetectionsOptions {
  /** Rows scoring below this are dropped (default 0.5). */
  scoreThreshold?: number;
  /** At most this many detections, best first (default: all). */
  maxDetections?: number;
  /** Class-aware NMS at this IoU, for graphs that leave NMS out; null or absent: none. */
  iouThreshold?: number | null;
  /** Names by class id; an id without one is named by its number. */
  labels?: readonly string[] | null;
  /** Where the source image sits in the model input, and its size: boxes are mapped back and clipped to it. */
  placement: Placement;
  width: number;
  height: number;
}

/** The contract's output names (docs/tasks.md § Detection). */
export const DETECTION_OUTPUTS = {
  boxes: 'boxes',
  scores: 'scores',
  labels: 'labels',
  keypoints: 'keypoints',
  keypointsScores: 'keypoints_scores',
} as const;

const shapeText = (t: Tensor): string => `[${t.shape.join(', ')}]`;

/** Rows of a [N, ...rest] output, tolerating a leading batch of 1 ([1, N, ...rest]) as exporters write it. */
function rows(
  outputs: Record<string, Tensor>,
  name: string,
  rest: number[],
): { values: Float64Array; n: number; shape: readonly number[] } {
  const tensor = outputs[name];
  if (!tensor) {
    throw new OxvError(
      'ERR_INFERENCE',
      `a detection model must output "${name}"; this one gave ${Object.keys(outputs).join(', ') || 'nothing'}`,
    );
  }
  const shape = tensor.shape.length === rest.length + 2 && tensor.shape[0] === 1 ? tensor.shape.slice(1) : tensor.shape;
  const fits = shape.length === rest.length + 1 && rest.every((d, i) => d < 0 || shape[i + 1] === d);
  if (!fits) {
    const want = ['N', ...rest.map((d) => (d < 0 ? 'K' : String(d)))].join(', ');
    throw new OxvError('ERR_INFERENCE', `detection output "${name}" must be [${want}]; got ${shapeText(tensor)}`);
  }
  return { values: toFloat64Array(tensor), n: shape[0]!, shape };
}

/**
 * A point in model-input pixels → the source image's: the placement's offset (letterbox padding, or the
 * part `fill` cropped) taken off, then its scale undone per axis, as torchvision's `resize_boxes` does.
 * Boxes are clipped to the image (`clip_boxes_to_image`); keypoints are not, as torchvision leaves them.
 */
function toSource(o: DecodeDetectionsOptions, clipped: boolean): (x: number, y: number) => [number, number] {
  const { placement: p, width, height } = o;
  const sx = width / p.scaledWidth;
  const sy = height / p.scaledHeight;
  const clip = (v: number, max: number): number => (!clipped ? v : v < 0 ? 0 : v > max ? max : v);
  return (x, y) => [clip((x - p.offsetX) * sx, width), clip((y - p.offsetY) * sy, height)];
}

/**
 * A detector's outputs (`boxes` [N, 4] in model-input pixels, `scores` [N], `labels` [N], optionally
 * `keypoints` [N, K, 3] and `keypoints_scores` [N, K]) → detections in the source image's pixels: score
 * filter, optional class-aware NMS, best first, top-N, then the preprocessing's resize/letterbox/crop
 * undone and every box clipped to the image. `run`, the server and the browser page all call this.
 */
export function decodeDetections(outputs: Record<string, Tensor>, options: DecodeDetectionsOptions): Detection[] {
  const boxes = rows(outputs, DETECTION_OUTPUTS.boxes, [4]);
  const scores = rows(outputs, DETECTION_OUTPUTS.scores, []);
  const classes = rows(outputs, DETECTION_OUTPUTS.labels, []);
  if (scores.n !== boxes.n || classes.n !== boxes.n) {
    throw new OxvError(
      'ERR_INFERENCE',
      `detection outputs disagree on the count: ${boxes.n} boxes, ${scores.n} scores, ${classes.n} labels`,
    );
  }
  const hasKeypoints = outputs[DETECTION_OUTPUTS.keypoints] !== undefined;
  const keypoints = hasKeypoints ? rows(outputs, DETECTION_OUTPUTS.keypoints, [-1, 3]) : null;
  const k = keypoints ? keypoints.shape[1]! : 0;
  const kpScores =
    keypoints && outputs[DETECTION_OUTPUTS.keypointsScores]
      ? rows(outputs, DETECTION_OUTPUTS.keypointsScores, [k])
      : null;
  if ((keypoints && keypoints.n !== boxes.n) || (kpScores && kpScores.n !== boxes.n)) {
    throw new OxvError(
      'ERR_INFERENCE',
      `detection outputs disagree on the count: ${boxes.n} boxes, keypoints for ${keypoints!.n}`,
    );
  }
  const threshold = options.scoreThreshold ?? 0.5;
  const candidates: number[] = [];
  for (let i = 0; i < boxes.n; i++) if (scores.values[i]! >= threshold) candidates.push(i);
  const order =
    options.iouThreshold == null
      ? candidates.sort((a, b) => scores.values[b]! - scores.values[a]! || a - b)
      : batchedNms(boxes.values, scores.values, classes.values, options.iouThreshold, candidates);
  const limit = options.maxDetections ?? order.length;
  const map = toSource(options, true);
  const mapPoint = toSource(options, false);
  return order.slice(0, limit).map((i): Detection => {
    const b = boxes.values;
    const [x1, y1] = map(b[i * 4]!, b[i * 4 + 1]!);
    const [x2, y2] = map(b[i * 4 + 2]!, b[i * 4 + 3]!);
    const id = classes.values[i]!;
    const detection: Detection = {
      label: options.labels?.[id] ?? String(id),
      class_id: id,
      score: scores.values[i]!,
      box: [x1, y1, x2, y2],
    };
    if (keypoints) {
      detection.keypoints = Array.from({ length: k }, (_, j): [number, number, number] => {
        const at = (i * k + j) * 3;
        const [x, y] = mapPoint(keypoints.values[at]!, keypoints.values[at + 1]!);
        return [x, y, kpScores ? kpScores.values[i * k + j]! : keypoints.values[at + 2]!];
      });
    }
    return detection;
  });
}
