import { OxvError } from '@oxidizedvision/runtime';

interface Part {
  headers: string;
  content: Uint8Array;
}

function boundaryOf(contentType: string): string {
  const match = /boundary=(?:"([^"]+)"|([^;\s]+))/i.exec(contentType);
  const boundary = match?.[1] ?? match?.[2];
  if (!boundary) throw new OxvError('ERR_BAD_REQUEST', 'multipart/form-data body without a boundary parameter');
  return boundary;
}

function splitParts(body: Buffer, boundary: string): Part[] {
  const delimiter = Buffer.from(`--${boundary}`);
  const parts: Part[] = [];
  let start = body.indexOf(delimiter);
  while (start !== -1) {
    const afterDelimiter = start + delimiter.length;
    // "--boundary--" closes the body.
    if (body[afterDelimiter] === 0x2d && body[afterDelimiter + 1] === 0x2d) return parts;
    const headersEnd = body.indexOf('\r\n\r\n', afterDelimiter);
    if (headersEnd === -1) break;
    const next = body.indexOf(Buffer.from(`\r\n--${boundary}`), headersEnd + 4);
    if (next === -1) break;
    parts.push({
      headers: body.subarray(afterDelimiter, headersEnd).toString('latin1'),
      content: body.subarray(headersEnd + 4, next),
    });
    start = next + 2;
  }
  throw new OxvError('ERR_BAD_REQUEST', 'multipart body is truncated or malformed (no closing boundary)');
}

/**
 * The image of a multipart/form-data upload (`curl -F image=@photo.jpg`): the first part that carries a
 * file name or an image content type. Only the one file is needed, so a full streaming parser
 * (@fastify/multipart, busboy) would be a dependency for twenty lines of work.
 */
export function multipartFile(body: Buffer, contentType: string): Uint8Array {
  const parts = splitParts(body, boundaryOf(contentType));
  const file = parts.find((p) => /filename=/i.test(p.headers) || /content-type:\s*image\//i.test(p.headers));
  if (!file) {
    throw new OxvError(
      'ERR_BAD_REQUEST',
      `multipart body has ${parts.length} part(s) but no file; send -F image=@photo.png`,
    );
  }
  return file.content;
}
