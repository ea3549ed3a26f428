import { OxvError } from '@oxidizedvision/runtime';
import { encodeJson } from './json/write-json.js';

export const HEADER_LENGTH = 'inference-header-content-length';

/** A body split per Triton's binary tensor extension: the JSON header, then raw tensor bytes. */
export interface SplitBody {
  /** null for a raw binary request (`Inference-Header-Content-Length: 0`): the whole body is one tensor. */
  header: Uint8Array | null;
  binary: Uint8Array;
}

/** Splits a request body by its Inference-Header-Content-Length (absent = all JSON). */
export function splitBody(body: Uint8Array, headerValue: string | string[] | undefined): SplitBody {
  if (headerValue === undefined) return { header: body, binary: body.subarray(body.byteLength) };
  const text = Array.isArray(headerValue) ? headerValue[0] : headerValue;
  const length = Number(text);
  if (text === undefined || !/^\d+$/.test(text.trim()) || !Number.isSafeInteger(length)) {
    throw new OxvError(
      'ERR_BAD_REQUEST',
      `Inference-Header-Content-Length must be a non-negative integer, got ${JSON.stringify(text)}`,
    );
  }
  if (length > body.byteLength) {
    throw new OxvError(
      'ERR_BAD_REQUEST',
      `Inference-Header-Content-Length is ${length} but the body has only ${body.byteLength} bytes`,
    );
  }
  if (length === 0) return { header: null, binary: body };
  return { header: body.subarray(0, length), binary: body.subarray(length) };
}

/** Hands out consecutive slices of the binary part, in the order the JSON header lists binary inputs. */
export class BinaryReader {
  private offset = 0;
  constructor(private readonly bytes: Uint8Array) {}

  take(size: number, where: string): Uint8Array {
    const left = this.bytes.byteLength - this.offset;
    if (size > left) {
      throw new OxvError(
        'ERR_BAD_REQUEST',
        `${where}: binary_data_size is ${size} but only ${left} bytes of binary data remain (truncated body?)`,
      );
    }
    const slice = this.bytes.subarray(this.offset, this.offset + size);
    this.offset += size;
    return slice;
  }

  /** Extra bytes mean the sizes in the header and the payload disagree: refuse rather than guess. */
  assertConsumed(): void {
    const left = this.bytes.byteLength - this.offset;
    if (left > 0) {
      throw new OxvError(
        'ERR_BAD_REQUEST',
        `${left} bytes of binary data follow the inputs the JSON header describes (check binary_data_size)`,
      );
    }
  }
}

/** A binary-extension response body: the JSON header, then the raw parts, as chunks to write in order. */
export interface BinaryBody {
  chunks: Buffer[];
  byteLength: number;
  /** The JSON header's byte length (Inference-Header-Content-Length). */
  headerLength: number;
}

/**
 * The JSON header and binary parts of a response, left as separate chunks: joining them would copy every
 * output tensor once more on the event loop only to write it to the socket (which takes the chunks as
 * they are).
 */
export function binaryBody(header: object, parts: Buffer[]): BinaryBody {
  // encodeJson: outputs not sent as binary may still carry their data in the header.
  const json = encodeJson(header);
  const chunks = [json, ...parts];
  return { chunks, byteLength: chunks.reduce((n, c) => n + c.byteLength, 0), headerLength: json.byteLength };
}
