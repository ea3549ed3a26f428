import sharp from 'sharp';
import { OxvError } from '../errors.js';
import type { RawImage } from '../image/types.js';

export interface DecodeImageOptions {
  /** One grey channel instead of RGB (a model card's `channel_order: GRAY`). */
  grey?: boolean;
  /**
   * Refuse an image declaring more pixels than this before sharp allocates it, so a decompression bomb
   * (a tiny PNG declaring 100k × 100k) fails fast; sharp's own limit when absent.
   */
  maxPixels?: number;
}

/**
 * Decodes PNG/JPEG/WebP/TIFF (anything sharp reads), from a file path or bytes, to 8-bit interleaved RGB
 * (or grey) with EXIF orientation applied: phone photos are stored sideways with a rotation tag, and a
 * model fed the raw pixels would see them rotated. Failures are ERR_IMAGE_DECODE naming the source.
 */
export async function decodeImage(source: string | Uint8Array, options: DecodeImageOptions = {}): Promise<RawImage> {
  try {
    const input = sharp(source, {
      failOn: 'error',
      ...(options.maxPixels !== undefined && { limitInputPixels: options.maxPixels }),
    });
    const pipeline = input.rotate().removeAlpha();
    const colour = options.grey ? pipeline.greyscale() : pipeline.toColourspace('srgb');
    const { data, info } = await colour.raw().toBuffer({ resolveWithObject: true });
    return {
      width: info.width,
      height: info.height,
      channels: info.channels as 1 | 3,
      data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength),
    };
  } catch (error) {
    const what = typeof source === 'string' ? `image ${source}` : `the image (${source.byteLength} bytes)`;
    throw new OxvError('ERR_IMAGE_DECODE', `cannot decode ${what}: ${(error as Error).message}`, { cause: error });
  }
}
