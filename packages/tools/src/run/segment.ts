import {
  OxvError,
  classColour,
  type Placement,
  type PreprocessSpec,
  type RawImage,
  type Tensor,
} from '@oxidizedvision/runtime';

/** Per-pixel class = argmax over channels of [1, C, H, W] (NHWC: [1, H, W, C]); [1, H, W] is already a mask. */
export function argmaxMask(
  output: Tensor,
  layout: PreprocessSpec['layout'],
): { width: number; height: number; data: Uint8Array } {
  const s = output.shape;
  const values = output.data as ArrayLike<number>;
  if (s.length === 3 && s[0] === 1) {
    return { height: s[1]!, width: s[2]!, data: Uint8Array.from(values as ArrayLike<number>, (v) => Number(v)) };
  }
  if (s.length !== 4 || s[0] !== 1) {
    throw new OxvError('ERR_INFERENCE', `a segmentation model must output [1, C, H, W]; got [${s.join(', ')}]`);
  }
  const [c, h, w] = layout === 'NCHW' ? [s[1]!, s[2]!, s[3]!] : [s[3]!, s[1]!, s[2]!];
  if (c > 256) throw new OxvError('ERR_INFERENCE', `${c} classes do not fit an 8-bit mask`);
  const plane = h * w;
  const data = new Uint8Array(plane);
  for (let p = 0; p < plane; p++) {
    let best = 0;
    let bestValue = -Infinity;
    for (let k = 0; k < c; k++) {
      const v = Number(layout === 'NCHW' ? values[k * plane + p] : values[p * c + k]);
      if (v > bestValue) [best, bestValue] = [k, v];
    }
    data[p] = best;
  }
  return { width: w, height: h, data };
}

/**
 * The mask at the source image's size: undo the placement, then nearest-neighbour (class ids must not
 * be interpolated into ids that were never predicted).
 */
export function restoreMask(
  mask: { width: number; height: number; data: Uint8Array },
  placement: Placement,
  width: number,
  height: number,
): RawImage {
  const data = new Uint8Array(width * height);
  const sx = placement.scaledWidth / width;
  const sy = placement.scaledHeight / height;
  for (let y = 0; y < height; y++) {
    const my = Math.min(mask.height - 1, Math.max(0, Math.floor((y + 0.5) * sy) + placement.offsetY));
    for (let x = 0; x < width; x++) {
      const mx = Math.min(mask.width - 1, Math.max(0, Math.floor((x + 0.5) * sx) + placement.offsetX));
      data[y * width + x] = mask.data[my * mask.width + mx]!;
    }
  }
  return { width, height, channels: 1, data };
}

/** The source image with each non-background class tinted 50% (class 0, background, left as it is). */
export function overlayMask(image: RawImage, mask: RawImage): RawImage {
  const plane = image.width * image.height;
  const data = new Uint8Array(plane * 3);
  for (let p = 0; p < plane; p++) {
    const id = mask.data[p]!;
    const colour = id === 0 ? null : classColour(id);
    for (let c = 0; c < 3; c++) {
      const v = image.channels === 1 ? image.data[p]! : image.data[p * image.channels + c]!;
      data[p * 3 + c] = colour ? Math.round((v + colour[c]!) / 2) : v;
    }
  }
  return { width: image.width, height: image.height, channels: 3, data };
}
