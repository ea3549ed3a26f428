import sharp from 'sharp';

/** A flat-colour image encoded as PNG/JPEG/WebP, for image endpoint tests. */
export function solidImage(
  width: number,
  height: number,
  rgb: [number, number, number],
  format: 'png' | 'jpeg' | 'webp' = 'png',
): Promise<Buffer> {
  return sharp({ create: { width, height, channels: 3, background: { r: rgb[0], g: rgb[1], b: rgb[2] } } })
    .toFormat(format, format === 'png' ? {} : { quality: 100 })
    .toBuffer();
}

/** Decodes a response image back to raw RGB. */
export async function decodePixels(
  bytes: Buffer,
): Promise<{ width: number; height: number; data: Buffer; format: string | undefined }> {
  const meta = await sharp(bytes).metadata();
  const { data, info } = await sharp(bytes).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  return { width: info.width, height: info.height, data, format: meta.format };
}

/** A multipart/form-data body with one file part, as `curl -F image=@file` sends it. */
export function multipartBody(file: Buffer, filename: string, type: string): { body: Buffer; contentType: string } {
  const boundary = '----oxv-test-boundary-7MA4YWxkTrZu0gW';
  const head = `--${boundary}\r\nContent-Disposition: form-data; name="note"\r\n\r\nhello\r\n--${boundary}\r\nContent-Disposition: form-data; name="image"; filename="${filename}"\r\nContent-Type: ${type}\r\n\r\n`;
  const body = Buffer.concat([Buffer.from(head), file, Buffer.from(`\r\n--${boundary}--\r\n`)]);
  return { body, contentType: `multipart/form-data; boundary=${boundary}` };
}
