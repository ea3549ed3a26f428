import sharp from 'sharp';
import { OxvError, type RawImage } from '@oxidizedvision/runtime';

/** A decompression bomb (a tiny PNG declaring 100k × 100k) must fail fast instead of allocating gigabytes. */
const MAX_INPUT_PIXELS = 50_000_000;

/**
 * Decodes PNG/JPEG/WebP (anything sharp reads) to 8-bit interleaved RGB with EXIF orientation applied:
 * phone photos are stored sideways with a rotation tag, and the model must see them upright.
 */
export async function decodeImageBytes(bytes: Uint8Array): Promise<RawImage & { channels: 3 }> {
  if (bytes.byteLength === 0) {
    throw new OxvError(
      'ERR_BAD_REQUEST',
      'no image in the request body; send PNG, JPEG or WebP bytes or multipart -F image=@file',
    );
  }
  try {
    const { data, info } = await sharp(bytes, { failOn: 'error', limitInputPixels: MAX_INPUT_PIXELS })
      .rotate()
      .removeAlpha()
      .toColourspace('srgb')
      .raw()
      .toBuffer({ resolveWithObject: true });
    return {
      width: info.width,
      height: info.height,
      channels: 3,
      data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength),
    };
  } catch (error) {
    throw new OxvError(
      'ERR_IMAGE_DECODE',
      `cannot decode the image (${bytes.byteLength} bytes): ${(error as Error).message}`,
      {
        cause: error,
      },
    );
  }
}
