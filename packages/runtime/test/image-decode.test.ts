import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RawImage } from '@oxidizedvision/runtime';
import { decodeImage, encodePng } from '@oxidizedvision/runtime/node';
import { expectOxvError } from './helpers.js';

const image: RawImage = {
  width: 3,
  height: 2,
  channels: 3,
  data: Uint8Array.from([255, 0, 0, 0, 255, 0, 0, 0, 255, 10, 20, 30, 40, 50, 60, 70, 80, 90]),
};

describe('decodeImage', () => {
  let dir: string;
  let png: Buffer;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'oxv-decode-'));
    png = await encodePng(image);
    await writeFile(join(dir, 'rgb.png'), png);
    await writeFile(join(dir, 'not-an-image.png'), 'plain text');
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('reads the same RGB pixels from a file path and from bytes', async () => {
    const fromFile = await decodeImage(join(dir, 'rgb.png'));
    const fromBytes = await decodeImage(png);
    expect(fromFile).toMatchObject({ width: 3, height: 2, channels: 3 });
    expect([...fromFile.data]).toEqual([...image.data]);
    expect([...fromBytes.data]).toEqual([...image.data]);
  });

  it('gives one channel when asked for grey', async () => {
    const grey = await decodeImage(png, { grey: true });
    expect(grey.channels).toBe(1);
    expect(grey.data.length).toBe(6);
  });

  it('refuses an image with more pixels than maxPixels', async () => {
    await expectOxvError(decodeImage(png, { maxPixels: 5 }), 'ERR_IMAGE_DECODE', /pixel limit/);
  });

  it('names the file, or the byte count, it cannot decode', async () => {
    const path = join(dir, 'not-an-image.png');
    await expectOxvError(decodeImage(path), 'ERR_IMAGE_DECODE', /cannot decode image .*not-an-image\.png/);
    await expectOxvError(decodeImage(Buffer.from('plain text')), 'ERR_IMAGE_DECODE', /the image \(10 bytes\)/);
  });
});
