/** x1, y1, x2, y2 in pixels, x2 ≥ x1 and y2 ≥ y1 for a real box. */
export type Box = [number, number, number, number];

/** Boxes as a flat [N·4] array (x1, y1, x2, y2 per row), as a detector's `boxes` tensor holds them. */
export type FlatBoxes = ArrayLike<number>;

/**
 * Intersection over union of rows i and j, with torchvision's `box_iou` arithmetic (area = w·h, no +1
 * pixel convention), so a threshold means the same thing here as in the graph a model was trained with.
 */
export function boxIou(boxes: FlatBoxes, i: number, j: number): number {
  const [ax1, ay1, ax2, ay2] = [boxes[i * 4]!, boxes[i * 4 + 1]!, boxes[i * 4 + 2]!, boxes[i * 4 + 3]!];
  const [bx1, by1, bx2, by2] = [boxes[j * 4]!, boxes[j * 4 + 1]!, boxes[j * 4 + 2]!, boxes[j * 4 + 3]!];
  const w = Math.max(0, Math.min(ax2, bx2) - Math.max(ax1, bx1));
  const h = Math.max(0, Math.min(ay2, by2) - Math.max(ay1, by1));
  const inter = w * h;
  const union = (ax2 - ax1) * (ay2 - ay1) + (bx2 - bx1) * (by2 - by1) - inter;
  return union > 0 ? inter / union : 0;
}

/** Row indices of `candidates`, highest score first; equal scores keep their row order. */
function byScore(scores: ArrayLike<number>, candidates: readonly number[]): number[] {
  return [...candidates].sort((a, b) => scores[b]! - scores[a]! || a - b);
}

/**
 * Greedy non-maximum suppression, as `torchvision.ops.nms`: visit rows by descending score, keep a row
 * unless it overlaps an already kept one by IoU strictly above `iouThreshold`. Returns the kept row
 * indices, highest score first. `candidates` restricts the rows considered (default: all).
 */
export function nms(
  boxes: FlatBoxes,
  scores: ArrayLike<number>,
  iouThreshold: number,
  candidates?: readonly number[],
): number[] {
  const order = byScore(scores, candidates ?? Array.from({ length: scores.length }, (_, i) => i));
  const kept: number[] = [];
  for (const i of order) {
    if (kept.every((k) => boxIou(boxes, i, k) <= iouThreshold)) kept.push(i);
  }
  return kept;
}

/**
 * Class-aware NMS, as `torchvision.ops.batched_nms`: rows of different classes never suppress each
 * other. torchvision gets there by offsetting each class's boxes apart and running one NMS; running one
 * NMS per class keeps the same rows without the offset's float rounding. Kept indices, highest score first.
 */
export function batchedNms(
  boxes: FlatBoxes,
  scores: ArrayLike<number>,
  classes: ArrayLike<number>,
  iouThreshold: number,
  candidates?: readonly number[],
): number[] {
  const groups = new Map<number, number[]>();
  for (const i of candidates ?? Array.from({ length: scores.length }, (_, k) => k)) {
    const group = groups.get(classes[i]!);
    if (group) group.push(i);
    else groups.set(classes[i]!, [i]);
  }
  const kept: number[] = [];
  for (const rows of groups.values()) kept.push(...nms(boxes, scores, iouThreshold, rows));
  return byScore(scores, kept);
}
