import { toFloat64Array, type Tensor } from '@oxidizedvision/runtime';
import { alignTest, matchDetections } from '../validate/detections.js';

/**
 * Detection outputs compared as detections, not element by element. A detector's rows reorder when two
 * scores swap (top-k, NMS), so a per-element cosine between an fp32 and an int8 model says little: an
 * int8 detector calibrated on random inputs that found almost nothing any more showed only a "low
 * cosine". Here the optimized model's rows are first lined up with the fp32 model's (validate's
 * matching: same label, best IoU), and the detections above the runner's default score threshold are
 * counted and matched.
 */
export const DETECTION_SCORE_THRESHOLD = 0.5;

export interface DetectionAgreement {
  /** Score threshold the counts use (run's and serve's default). */
  threshold: number;
  /** Detections at or above it, summed over the evaluation inputs: fp32 model, optimized model. */
  reference: number;
  optimized: number;
  /** fp32 detections the optimized model also found (same label, IoU ≥ 0.5, both above the threshold). */
  matched: number;
}

/** The outputs that are rows of detections (boxes [N, 4] and its siblings with N rows), or none. */
export function detectionRows(outputs: Record<string, Tensor>): string[] {
  const boxes = outputs.boxes;
  if (!boxes || boxes.shape.length !== 2 || boxes.shape[1] !== 4) return [];
  const n = boxes.shape[0];
  return Object.keys(outputs).filter((name) => outputs[name]!.shape[0] === n);
}

/** The detections of one output set at or above the threshold, as the matcher takes them. */
function above(outputs: Record<string, Tensor>, threshold: number) {
  const scores = toFloat64Array(outputs.scores!);
  const keep = [...scores.keys()].filter((i) => scores[i]! >= threshold);
  const pick = (t: Tensor | undefined, width: number): Tensor | undefined => {
    if (!t) return undefined;
    const data = toFloat64Array(t);
    const out = new Float64Array(keep.length * width);
    keep.forEach((row, k) => out.set(data.subarray(row * width, (row + 1) * width), k * width));
    return { dtype: 'float64', shape: width === 1 ? [keep.length] : [keep.length, width], data: out } as Tensor;
  };
  return { boxes: pick(outputs.boxes, 4)!, scores: pick(outputs.scores, 1), labels: pick(outputs.labels, 1) };
}

/**
 * Lines the optimized outputs up with the fp32 ones (when both have the same number of rows) and counts
 * the detections the two agree on. Without a `scores` output there is nothing to count.
 */
export function compareDetections(
  reference: Record<string, Tensor>,
  optimized: Record<string, Tensor>,
): { aligned: Record<string, Tensor>; agreement: DetectionAgreement | undefined } {
  const rows = detectionRows(reference);
  if (rows.length === 0 || !optimized.boxes) return { aligned: optimized, agreement: undefined };
  const { outputs: aligned } = alignTest(rows, reference, optimized, 'the optimized model');
  if (!reference.scores || !optimized.scores) return { aligned, agreement: undefined };
  const [r, o] = [above(reference, DETECTION_SCORE_THRESHOLD), above(optimized, DETECTION_SCORE_THRESHOLD)];
  const matched = matchDetections(r, o).filter((j) => j >= 0).length;
  return {
    aligned,
    agreement: {
      threshold: DETECTION_SCORE_THRESHOLD,
      reference: r.boxes.shape[0]!,
      optimized: o.boxes.shape[0]!,
      matched,
    },
  };
}
