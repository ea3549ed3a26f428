import { OxvError } from '@oxidizedvision/runtime';

/** Parses JSON text, naming what was being parsed when it is malformed. */
export function parseJson(bytes: Uint8Array, what: string): unknown {
  if (bytes.byteLength === 0) throw new OxvError('ERR_BAD_REQUEST', `${what} is empty; expected a JSON object`);
  try {
    return JSON.parse(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8'));
  } catch (error) {
    throw new OxvError('ERR_BAD_REQUEST', `${what} is not valid JSON: ${(error as Error).message}`, { cause: error });
  }
}
