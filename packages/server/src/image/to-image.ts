import sharp from 'sharp';
import {
  OxvError,
  restoreToSource,
  tensorToImage,
  toFloat64Array,
  type PreprocessSpec,
  type Placement,
  type Tensor,
} from '@oxidizedvision/runtime';
import { encodePng } from '@oxidizedvision/runtime/node';

export type ImageFormat = 'png' | 'jpeg' | 'webp';

export interface Restore {
  /** The model input's [height, width] the placement refers to. */
  size: readonly [number, number];
  placement: Placement;
  /** The uploaded image's size, which the answer is scaled back to. */
  width: number;
  height: number;
}

/** The part of the output that shows the uploaded image (padding dropped), in output pixels. */
function visibleRegion(restore: Restore, width: number, height: number) {
  const sx = width / restore.size[1];
  const sy = height / restore.size[0];
  const { offsetX, offsetY, scaledWidth, scaledHeight } = restore.placement;
  const left = Math.max(0, Math.round(offsetX * sx));
  const top = Math.max(0, Math.round(offsetY * sy));
  const right = Math.min(width, Math.round((offsetX + scaledWidth) * sx));
  const bottom = Math.min(height, Math.round((offsetY + scaledHeight) * sy));
  // Under `fill` part of the image was cropped away; scale only the part that is there.
  const keptW = (right - left) / (scaledWidth * sx);
  const keptH = (bottom - top) / (scaledHeight * sy);
  return {
    extract: { left, top, width: Math.max(1, right - left), height: Math.max(1, bottom - top) },
    resize: {
      width: Math.max(1, Math.round(restore.width * keptW)),
      height: Math.max(1, Math.round(restore.height * keptH)),
    },
  };
}

/**
 * An image-to-image model's output as an encoded image the size of the upload. Denormalising and
 * restoring the size are the runtime's (the same code as the CLI's `run` and the browser page), and so
 * is PNG encoding; sharp encodes JPEG and WebP.
 */
export async function encodeImageOutput(
  tensor: Tensor,
  pre: PreprocessSpec,
  restore: Restore,
  format: ImageFormat,
): Promise<Buffer> {
  const image = restoreToSource(
    tensorToImage(tensor, pre),
    restore.placement,
    restore.size,
    restore.width,
    restore.height,
  );
  // PNG through the runtime's encoder (what `run` writes: faster and smaller on photographs than libvips').
  if (format === 'png') return encodePng(image);
  const { width, height, channels } = image;
  return sharp(image.data, { raw: { width, height, channels } }).toFormat(format).toBuffer();
}

/** A segmentation output [1, K, H, W] as a grey PNG whose pixel values are class indices (argmax). */
export async function tensorToMask(tensor: Tensor, pre: PreprocessSpec, restore: Restore): Promise<Buffer> {
  const dims = tensor.shape.length === 4 ? tensor.shape.slice(1) : tensor.shape;
  const [k, height, width] = pre.layout === 'NCHW' ? dims : [dims[2]!, dims[0]!, dims[1]!];
  if (dims.length !== 3 || !k || !height || !width) {
    throw new OxvError(
      'ERR_INFERENCE',
      `expected a segmentation output [1, K, H, W], got [${tensor.shape.join(', ')}]`,
    );
  }
  const values = toFloat64Array(tensor);
  const plane = height * width;
  const at = (c: number, p: number): number => values[pre.layout === 'NCHW' ? c * plane + p : p * k + c]!;
  const mask = new Uint8Array(plane);
  for (let p = 0; p < plane; p++) {
    // One channel is a binary logit: foreground where it is positive.
    if (k === 1) mask[p] = at(0, p) > 0 ? 1 : 0;
    else {
      let best = 0;
      for (let c = 1; c < k; c++) if (at(c, p) > at(best, p)) best = c;
      mask[p] = best;
    }
  }
  const region = visibleRegion(restore, width, height);
  return (
    sharp(mask, { raw: { width, height, channels: 1 } })
      .extract(region.extract)
      .resize(region.resize.width, region.resize.height, { fit: 'fill', kernel: 'nearest' })
      // sharp would otherwise widen the single channel to sRGB on output.
      .toColourspace('b-w')
      .png()
      .toBuffer()
  );
}
