import { OxvError, type RawImage } from '@oxidizedvision/runtime';

/** Larger images are refused before their pixels are read: 8192² RGBA is already 256 MiB of ImageData. */
export const MAX_SIDE = 8192;
export const MAX_PIXELS = 40_000_000;

/**
 * Decodes an image file to RGBA pixels (channels 4; imageToTensor ignores alpha). Colour-space conversion
 * and premultiplication are switched off so the pixels are the file's own values, as sharp decodes them
 * in Node: otherwise the browser's input tensor would drift from Node's.
 */
export async function decodeImage(blob: Blob): Promise<RawImage> {
  let bitmap: ImageBitmap;
  try {
    bitmap = await createImageBitmap(blob, { colorSpaceConversion: 'none', premultiplyAlpha: 'none' });
  } catch (error) {
    throw new OxvError(
      'ERR_IMAGE_DECODE',
      `could not decode the image (${blob.type || 'unknown type'}): ${(error as Error).message}`,
    );
  }
  const { width, height } = bitmap;
  if (width > MAX_SIDE || height > MAX_SIDE || width * height > MAX_PIXELS) {
    bitmap.close();
    throw new OxvError(
      'ERR_INPUT_SHAPE',
      `image too large: ${width}×${height}; this page accepts up to ${MAX_SIDE} px a side and ${MAX_PIXELS / 1e6} MP`,
    );
  }
  const canvas = new OffscreenCanvas(width, height);
  const context = canvas.getContext('2d', { willReadFrequently: true })!;
  context.drawImage(bitmap, 0, 0);
  bitmap.close();
  const { data } = context.getImageData(0, 0, width, height, { colorSpace: 'srgb' });
  return { width, height, channels: 4, data };
}

/** Puts interleaved RGB, grey or RGBA pixels on a canvas (which needs RGBA). */
export function drawRaw(canvas: HTMLCanvasElement, image: RawImage): void {
  canvas.width = image.width;
  canvas.height = image.height;
  const rgba = new Uint8ClampedArray(image.width * image.height * 4);
  for (let p = 0, n = image.width * image.height; p < n; p++) {
    const c = image.channels;
    rgba[p * 4] = image.data[p * c]!;
    rgba[p * 4 + 1] = image.data[p * c + (c === 1 ? 0 : 1)]!;
    rgba[p * 4 + 2] = image.data[p * c + (c === 1 ? 0 : 2)]!;
    rgba[p * 4 + 3] = c === 4 ? image.data[p * 4 + 3]! : 255;
  }
  canvas.getContext('2d')!.putImageData(new ImageData(rgba, image.width, image.height), 0, 0);
}
