import { toFloat64Array, type Tensor, type TensorInfo } from '@oxidizedvision/runtime';

/** A runtime's detection matches PyTorch's when it has the same label and overlaps it this much… */
export const MATCH_IOU = 0.5;
/**
 * …or, failing that, when every coordinate is within this many pixels: boxes of zero width or height
 * (FCOS and RetinaNet emit them, clipped at the border) have no IoU with anything, themselves included.
 */
export const MATCH_DISTANCE = 1;

/**
 * Outputs whose first dimension is symbolic in the card (`detections`): their length varies per input,
 * and a runtime's rows may come in another order (NMS and top-k break ties differently).
 */
export function variableLengthOutputs(outputs: readonly TensorInfo[]): string[] {
  return outputs.filter((o) => typeof o.shape[0] === 'string').map((o) => o.name);
}

function rows(t: Tensor | undefined): number {
  return t?.shape[0] ?? 0;
}

function iou(a: Float64Array, i: number, b: Float64Array, j: number): number {
  const [ax1, ay1, ax2, ay2] = [a[4 * i]!, a[4 * i + 1]!, a[4 * i + 2]!, a[4 * i + 3]!];
  const [bx1, by1, bx2, by2] = [b[4 * j]!, b[4 * j + 1]!, b[4 * j + 2]!, b[4 * j + 3]!];
  const w = Math.max(0, Math.min(ax2, bx2) - Math.max(ax1, bx1));
  const h = Math.max(0, Math.min(ay2, by2) - Math.max(ay1, by1));
  const inter = w * h;
  const union = (ax2 - ax1) * (ay2 - ay1) + (bx2 - bx1) * (by2 - by1) - inter;
  return union > 0 ? inter / union : 0;
}

function distance(a: Float64Array, i: number, b: Float64Array, j: number): number {
  let max = 0;
  for (let k = 0; k < 4; k++) max = Math.max(max, Math.abs(a[4 * i + k]! - b[4 * j + k]!));
  return max;
}

/**
 * For each reference detection (highest score first), the target's detection with the same label and
 * the highest IoU (≥ MATCH_IOU; a closer score breaks ties), else the closest box within MATCH_DISTANCE
 * pixels, each used once. Returns the target index per reference row, -1 where none qualifies.
 */
export function matchDetections(
  reference: { boxes: Tensor; scores?: Tensor | undefined; labels?: Tensor | undefined },
  target: { boxes: Tensor; scores?: Tensor | undefined; labels?: Tensor | undefined },
): number[] {
  const n = rows(reference.boxes);
  const m = rows(target.boxes);
  const rb = toFloat64Array(reference.boxes);
  const tb = toFloat64Array(target.boxes);
  const rs = reference.scores ? toFloat64Array(reference.scores) : undefined;
  const ts = target.scores ? toFloat64Array(target.scores) : undefined;
  const rl = reference.labels ? toFloat64Array(reference.labels) : undefined;
  const tl = target.labels ? toFloat64Array(target.labels) : undefined;
  const order = [...Array(n).keys()];
  if (rs) order.sort((a, b) => rs[b]! - rs[a]!);
  const used = new Uint8Array(m);
  const match = new Array<number>(n).fill(-1);
  for (const i of order) {
    let best = -1;
    let bestIou = MATCH_IOU;
    let bestScoreGap = Infinity;
    let closest = -1;
    let closestDistance = MATCH_DISTANCE;
    for (let j = 0; j < m; j++) {
      if (used[j] || (rl && tl && rl[i] !== tl[j])) continue;
      const overlap = iou(rb, i, tb, j);
      const gap = rs && ts ? Math.abs(rs[i]! - ts[j]!) : 0;
      if (overlap > bestIou || (overlap === bestIou && overlap >= MATCH_IOU && gap < bestScoreGap)) {
        best = j;
        bestIou = overlap;
        bestScoreGap = gap;
      }
      const d = distance(rb, i, tb, j);
      if (d <= closestDistance && (closest < 0 || d < closestDistance)) {
        closest = j;
        closestDistance = d;
      }
    }
    if (best < 0) best = closest;
    if (best >= 0) {
      used[best] = 1;
      match[i] = best;
    }
  }
  return match;
}

/** Rows of `t` (along dim 0) in the order `order` gives. */
export function takeRows(t: Tensor, order: number[]): Tensor {
  const width = t.shape.slice(1).reduce((a, b) => a * b, 1);
  const Ctor = t.data.constructor as new (n: number) => typeof t.data;
  const data = new Ctor(order.length * width);
  order.forEach((from, to) => {
    (data as { set(a: ArrayLike<unknown>, o: number): void }).set(
      (t.data as unknown as { subarray(a: number, b: number): ArrayLike<unknown> }).subarray(
        from * width,
        (from + 1) * width,
      ),
      to * width,
    );
  });
  return { dtype: t.dtype, shape: [order.length, ...t.shape.slice(1)], data } as Tensor;
}

export interface AlignedTest {
  /** The target's outputs, variable-length ones reordered to line up with the reference's rows. */
  outputs: Record<string, Tensor>;
  /** Per variable-length output: the row counts, and why they cannot be compared (absent when they can). */
  counts: Record<string, { reference: number; target: number }>;
  problem: string | undefined;
}

/**
 * Lines a target's variable-length outputs up with the reference's: the same number of rows, then
 * (when there are boxes) each reference detection paired with the target's by label and IoU.
 */
export function alignTest(
  variable: string[],
  reference: Record<string, Tensor>,
  target: Record<string, Tensor>,
  targetName: string,
): AlignedTest {
  const present = variable.filter((name) => reference[name] && target[name]);
  const counts = Object.fromEntries(
    present.map((name) => [name, { reference: rows(reference[name]), target: rows(target[name]) }]),
  );
  if (present.length === 0) return { outputs: target, counts, problem: undefined };
  const first = counts[present[0]!]!;
  const mismatch = present.find((name) => counts[name]!.reference !== counts[name]!.target);
  if (mismatch) {
    const c = counts[mismatch]!;
    const what = present.includes('boxes') ? 'detections' : `rows of "${mismatch}"`;
    return { outputs: target, counts, problem: `${targetName} found ${c.target} ${what}, PyTorch ${c.reference}` };
  }
  if (!present.includes('boxes') || first.reference === 0) return { outputs: target, counts, problem: undefined };
  const match = matchDetections(
    { boxes: reference.boxes!, scores: reference.scores, labels: reference.labels },
    { boxes: target.boxes!, scores: target.scores, labels: target.labels },
  );
  const unmatched = match.filter((j) => j < 0).length;
  // Unmatched rows are filled with the target's leftovers, so the numbers still show how far off they are.
  const leftovers = [...Array(first.target).keys()].filter((j) => !match.includes(j));
  const order = match.map((j) => (j >= 0 ? j : leftovers.shift()!));
  const outputs = { ...target };
  for (const name of present) outputs[name] = takeRows(target[name]!, order);
  const problem = unmatched
    ? `${unmatched} of PyTorch's ${first.reference} detections have no ${targetName} detection with the same label and IoU ≥ ${MATCH_IOU} (or a box within ${MATCH_DISTANCE} px)`
    : undefined;
  return { outputs, counts, problem };
}
