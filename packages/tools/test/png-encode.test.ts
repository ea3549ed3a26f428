import { fileURLToPath } from 'node:url';
import { crc32 } from 'node:zlib';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { createRng, type RawImage } from '@oxidizedvision/runtime';
import { encodePng } from '@oxidizedvision/tools';

const COFFEE = fileURLToPath(new URL('../../../examples/unet-denoiser/samples/coffee.png', import.meta.url));

/** Decodes with libvips, keeping the channel count (grey stays one band). */
async function decode(png: Buffer, channels: 1 | 3 | 4): Promise<Buffer> {
  const pipeline = channels === 1 ? sharp(png).toColourspace('b-w') : sharp(png);
  const { data, info } = await pipeline.raw().toBuffer({ resolveWithObject: true });
  expect(info.channels).toBe(channels);
  return data;
}

function noise(width: number, height: number, channels: 1 | 3 | 4, seed: number): RawImage {
  const rng = createRng(seed);
  const data = new Uint8Array(width * height * channels);
  for (let i = 0; i < data.length; i++) data[i] = Math.floor(rng.next() * 256);
  return { width, height, channels, data };
}

/** Chunk types in order, each CRC checked against its type and data. */
function chunks(png: Buffer): { type: string; data: Buffer }[] {
  expect([...png.subarray(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  const out: { type: string; data: Buffer }[] = [];
  for (let at = 8; at < png.length;) {
    const length = png.readUInt32BE(at);
    const typeAndData = png.subarray(at + 4, at + 8 + length);
    expect(png.readUInt32BE(at + 8 + length)).toBe(crc32(typeAndData));
    out.push({ type: typeAndData.subarray(0, 4).toString('latin1'), data: typeAndData.subarray(4) });
    at += 12 + length;
  }
  return out;
}

describe('encodePng', () => {
  it('round-trips grey, RGB and RGBA pixels exactly, at odd sizes and one pixel', async () => {
    for (const [w, h, c] of [
      [37, 23, 3],
      [1, 1, 3],
      [64, 5, 1],
      [9, 31, 4],
      [700, 600, 3], // over 1 MiB filtered: deflated in libuv's pool, not on the calling thread
    ] as const) {
      const image = noise(w, h, c, w * 100 + h);
      for (const level of [0, 1, 6, 9]) {
        const png = await encodePng(image, level);
        expect((await decode(png, c)).equals(Buffer.from(image.data))).toBe(true);
      }
    }
  });

  it('writes a well-formed file: IHDR with size, depth and colour type, one IDAT, IEND, valid CRCs', async () => {
    const png = await encodePng(noise(300, 200, 3, 1));
    const list = chunks(png);
    expect(list.map((c) => c.type)).toEqual(['IHDR', 'IDAT', 'IEND']);
    const ihdr = list[0]!.data;
    expect([ihdr.readUInt32BE(0), ihdr.readUInt32BE(4), ihdr[8], ihdr[9], ihdr[10], ihdr[11], ihdr[12]]).toEqual([
      300, 200, 8, 2, 0, 0, 0,
    ]);
    expect(chunks(await encodePng(noise(2, 2, 1, 2)))[0]!.data[9]).toBe(0);
    expect(chunks(await encodePng(noise(2, 2, 4, 3)))[0]!.data[9]).toBe(6);
  });

  it('is smaller than libvips at its default level 6 on a photograph', async () => {
    const { data, info } = await sharp(COFFEE).raw().toBuffer({ resolveWithObject: true });
    const image: RawImage = { width: info.width, height: info.height, channels: 3, data };
    const ours = await encodePng(image);
    const libvips = await sharp(data, { raw: info }).png({ compressionLevel: 6 }).toBuffer();
    expect(ours.length).toBeLessThan(libvips.length);
    expect((await decode(ours, 3)).equals(data)).toBe(true);
  });

  it('deflates images that repeat themselves (graphics, masks) far below what Huffman coding alone reaches', async () => {
    // Stripes and flat areas: Huffman coding alone cannot go below 1 bit per byte (1/8 of the filtered
    // size); LZ77 matches take it much further, so the encoder must have switched.
    const width = 400;
    const height = 300;
    const mask = new Uint8Array(width * height).map((_, i) => (((i % width) >> 4) % 3 === 0 ? 255 : 0));
    const png = await encodePng({ width, height, channels: 1, data: mask });
    expect(png.length).toBeLessThan(((width + 1) * height) / 40);
    expect((await decode(png, 1)).equals(Buffer.from(mask))).toBe(true);
  });

  it('stores the pixels uncompressed at level 0', async () => {
    const image = noise(50, 40, 3, 9);
    const stored = await encodePng(image, 0);
    expect(stored.length).toBeGreaterThan((50 * 3 + 1) * 40);
    expect((await decode(stored, 3)).equals(Buffer.from(image.data))).toBe(true);
  });
});
