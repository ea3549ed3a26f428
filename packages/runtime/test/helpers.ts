import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import { expect } from 'vitest';
import { OxvError, type ErrorCode } from '@oxidizedvision/runtime';

export function fixturePath(name: string): string {
  return fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));
}

/** Awaits a promise that must reject with an OxvError of `code` whose message matches `message`. */
export async function expectOxvError(promise: Promise<unknown>, code: ErrorCode, message?: RegExp): Promise<OxvError> {
  const error = await promise.then(
    () => undefined,
    (reason: unknown) => reason,
  );
  expect(error, `expected a rejection with ${code}`).toBeInstanceOf(OxvError);
  const oxv = error as OxvError;
  expect(oxv.code, oxv.message).toBe(code);
  if (message !== undefined) expect(oxv.message).toMatch(message);
  return oxv;
}

/** Synchronous counterpart of expectOxvError. */
export function expectOxvErrorSync(fn: () => unknown, code: ErrorCode, message?: RegExp): OxvError {
  let caught: unknown;
  try {
    fn();
  } catch (error) {
    caught = error;
  }
  expect(caught, `expected a throw with ${code}`).toBeInstanceOf(OxvError);
  const oxv = caught as OxvError;
  expect(oxv.code, oxv.message).toBe(code);
  if (message !== undefined) expect(oxv.message).toMatch(message);
  return oxv;
}

/** A black PNG with solid rectangles {x, y, w, h, rgb}: detection tests' inputs, boxes known exactly. */
export async function rectanglesPng(
  width: number,
  height: number,
  rects: { x: number; y: number; w: number; h: number; rgb: number[] }[],
): Promise<Buffer> {
  const data = Buffer.alloc(width * height * 3);
  for (const r of rects)
    for (let y = r.y; y < r.y + r.h; y++) for (let x = r.x; x < r.x + r.w; x++) data.set(r.rgb, (y * width + x) * 3);
  return sharp(data, { raw: { width, height, channels: 3 } })
    .png()
    .toBuffer();
}
