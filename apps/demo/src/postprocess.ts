import type { PreprocessSpec, RawImage } from '@oxidizedvision/runtime';

/** Softmax over the logits (unless they already sum to 1), best k first. */
export function topK(logits: Float32Array, labels: readonly string[] | null, k = 5): { label: string; p: number }[] {
  let sum = 0;
  for (const v of logits) sum += v;
  const isProb = Math.abs(sum - 1) < 1e-3 && logits.every((v) => v >= 0);
  const max = Math.max(...logits);
  const exps = isProb ? Array.from(logits) : Array.from(logits, (v) => Math.exp(v - max));
  const total = exps.reduce((a, b) => a + b, 0);
  return exps
    .map((e, i) => ({ label: labels?.[i] ?? `class ${i}`, p: e / total }))
    .sort((a, b) => b.p - a.p)
    .slice(0, k);
}

const PALETTE = [
  [0, 0, 0],
  [230, 25, 75],
  [60, 180, 75],
  [255, 225, 25],
  [0, 130, 200],
  [245, 130, 48],
  [145, 30, 180],
  [70, 240, 240],
];

/** Argmax mask over the model input (a binary logit when there is one class), blended at 50% onto it. */
export function maskOverlay(data: Float32Array, shape: number[], spec: PreprocessSpec, input: RawImage): RawImage {
  const nchw = spec.layout === 'NCHW';
  const [k, h, w] = nchw ? [shape[1]!, shape[2]!, shape[3]!] : [shape[3]!, shape[1]!, shape[2]!];
  const plane = h * w;
  const at = (c: number, p: number) => data[nchw ? c * plane + p : p * k + c]!;
  const out = new Uint8Array(plane * 3);
  for (let p = 0; p < plane; p++) {
    let best = 0;
    if (k === 1) best = at(0, p) > 0 ? 1 : 0;
    else for (let c = 1; c < k; c++) if (at(c, p) > at(best, p)) best = c;
    const colour = PALETTE[best % PALETTE.length]!;
    // The mask is at the model's resolution; sample the fitted input at the same grid.
    const ip = Math.floor(((p / w) | 0) * (input.height / h)) * input.width + Math.floor((p % w) * (input.width / w));
    for (let c = 0; c < 3; c++) {
      const base = input.data[ip * input.channels + (input.channels === 1 ? 0 : c)]!;
      out[p * 3 + c] = best === 0 ? base : Math.round((base + colour[c]!) / 2);
    }
  }
  return { width: w, height: h, channels: 3, data: out };
}
