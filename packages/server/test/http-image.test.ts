import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import sharp from 'sharp';
import { FIXTURES } from './http-support/fixtures.js';
import { decodePixels, multipartBody, solidImage } from './http-support/images.js';
import { metricSum } from './http-support/metrics-text.js';
import { startServer, type TestServer } from './http-support/server.js';

let server: TestServer;

beforeAll(async () => {
  server = await startServer(
    [
      { name: 'invert', path: FIXTURES.invert },
      { name: 'colours', path: FIXTURES.classifier },
      { name: 'segmenter', path: FIXTURES.segmenter },
      { name: 'conv', path: FIXTURES.tinyConv },
    ],
    { listen: true },
  );
});
afterAll(() => server.close());

const post = (url: string, payload: Buffer, headers: Record<string, string> = {}) =>
  server.app.inject({
    method: 'POST',
    url,
    payload,
    headers: { 'content-type': 'application/octet-stream', ...headers },
  });

describe('image-to-image', () => {
  it('returns a PNG of the upload size with the model applied (real HTTP, raw PNG body)', async () => {
    const response = await fetch(`${server.url}/v2/models/invert/infer/image`, {
      method: 'POST',
      headers: { 'content-type': 'image/png', accept: 'image/png' },
      body: new Uint8Array(await solidImage(40, 24, [200, 100, 30])),
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('image/png');
    const image = await decodePixels(Buffer.from(await response.arrayBuffer()));
    expect(image).toMatchObject({ width: 40, height: 24, format: 'png' });
    // 1 - x in [0, 1] is 255 - v in pixels; a flat colour survives the resizes exactly.
    expect([...image.data.subarray(0, 3)]).toEqual([55, 155, 225]);
    expect(image.data.every((v, i) => v === [55, 155, 225][i % 3])).toBe(true);
  });

  it('takes JPEG and WebP, and a multipart upload, and answers JPEG when asked', async () => {
    for (const format of ['jpeg', 'webp'] as const) {
      const response = await post('/v2/models/invert/infer/image', await solidImage(16, 16, [0, 0, 0], format));
      expect(response.statusCode, format).toBe(200);
      const { data } = await decodePixels(response.rawPayload);
      expect(Math.min(...data)).toBeGreaterThanOrEqual(250);
    }
    const { body, contentType } = multipartBody(await solidImage(10, 30, [255, 255, 255]), 'white.png', 'image/png');
    const response = await post('/v2/models/invert/versions/1/infer/image', body, {
      'content-type': contentType,
      accept: 'image/jpeg',
    });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toBe('image/jpeg');
    const image = await decodePixels(response.rawPayload);
    expect(image).toMatchObject({ width: 10, height: 30, format: 'jpeg' });
    expect(Math.max(...image.data)).toBeLessThanOrEqual(5);
  });

  it('applies the EXIF orientation before the model sees the image', async () => {
    // Stored 20x10 with orientation 6 (rotate 90° clockwise to view): upright it is 10x20.
    const sideways = await sharp({ create: { width: 20, height: 10, channels: 3, background: '#000000' } })
      .withMetadata({ orientation: 6 })
      .jpeg()
      .toBuffer();
    const response = await post('/v2/models/invert/infer/image', sideways);
    expect(response.statusCode).toBe(200);
    expect(await decodePixels(response.rawPayload)).toMatchObject({ width: 10, height: 20 });
  });
});

describe('classification', () => {
  it('answers top-k labels with softmax scores from the card', async () => {
    const response = await post('/v2/models/colours/infer/image?top_k=2', await solidImage(8, 8, [255, 0, 0]));
    expect(response.statusCode).toBe(200);
    const body = response.json() as { predictions: { label: string; index: number; score: number }[] };
    expect(body.predictions.map((p) => [p.label, p.index])).toEqual([
      ['red', 0],
      ['grey', 3],
    ]);
    // Logits [10, 0, 0, 5]: softmax gives e^10 / (e^10 + 2 + e^5).
    const z = Math.exp(10) + 2 + Math.exp(5);
    expect(body.predictions[0]!.score).toBeCloseTo(Math.exp(10) / z, 5);
    expect(body.predictions[1]!.score).toBeCloseTo(Math.exp(5) / z, 5);
  });

  it('defaults to five predictions at most and ranks a dark grey as grey', async () => {
    const response = await post('/v2/models/colours/infer/image', await solidImage(30, 20, [51, 51, 51]));
    const { predictions } = response.json() as { predictions: { label: string }[] };
    expect(predictions).toHaveLength(4);
    expect(predictions[0]!.label).toBe('grey');
  });
});

describe('segmentation', () => {
  it('answers a class-index mask the size of the upload', async () => {
    // 20x10: the left half red, the right half green.
    const pixels = Buffer.alloc(20 * 10 * 3);
    for (let p = 0; p < 200; p++) pixels[p * 3 + (p % 20 < 10 ? 0 : 1)] = 255;
    const png = await sharp(pixels, { raw: { width: 20, height: 10, channels: 3 } })
      .png()
      .toBuffer();
    const response = await post('/v2/models/segmenter/infer/image', png);
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toBe('image/png');
    const meta = await sharp(response.rawPayload).metadata();
    expect([meta.width, meta.height, meta.channels]).toEqual([20, 10, 1]);
    const data = await sharp(response.rawPayload).extractChannel(0).raw().toBuffer();
    expect([...data.subarray(0, 20)]).toEqual([...new Array(10).fill(0), ...new Array(10).fill(1)]);
  });
});

describe('bad image requests', () => {
  const cases: [string, () => ReturnType<typeof post>, number, string, RegExp][] = [
    [
      'an undecodable image',
      async () => post('/v2/models/invert/infer/image', Buffer.from('this is not a picture')),
      400,
      'ERR_IMAGE_DECODE',
      /cannot decode the image/,
    ],
    [
      'a truncated PNG',
      async () => post('/v2/models/invert/infer/image', (await solidImage(64, 64, [1, 2, 3])).subarray(0, 60)),
      400,
      'ERR_IMAGE_DECODE',
      /cannot decode/,
    ],
    [
      'an empty body',
      async () => post('/v2/models/invert/infer/image', Buffer.alloc(0)),
      400,
      'ERR_BAD_REQUEST',
      /no image/,
    ],
    [
      'a multipart body without a file',
      async () =>
        post(
          '/v2/models/invert/infer/image',
          Buffer.from('--b\r\nContent-Disposition: form-data; name="a"\r\n\r\nx\r\n--b--\r\n'),
          { 'content-type': 'multipart/form-data; boundary=b' },
        ),
      400,
      'ERR_BAD_REQUEST',
      /no file/,
    ],
    [
      'a model without a card',
      async () => post('/v2/models/conv/infer/image', await solidImage(8, 8, [1, 2, 3])),
      400,
      'ERR_MODEL_CARD',
      /no model card/,
    ],
    [
      'a bad top_k',
      async () => post('/v2/models/colours/infer/image?top_k=0', await solidImage(8, 8, [1, 2, 3])),
      400,
      'ERR_BAD_REQUEST',
      /top_k/,
    ],
    [
      'an unknown model',
      async () => post('/v2/models/nope/infer/image', await solidImage(8, 8, [1, 2, 3])),
      404,
      'ERR_MODEL_NOT_FOUND',
      /nope/,
    ],
  ];

  it.each(cases)(
    'answers %s with a clear 4xx, counts it, and keeps serving',
    async (_name, send, status, code, error) => {
      const response = await send();
      expect(response.statusCode, response.body).toBe(status);
      expect(response.headers['x-error-code']).toBe(code);
      expect(response.json()).toEqual({ error: expect.stringMatching(error) });
      const metrics = (await server.app.inject({ url: '/metrics' })).body;
      expect(metricSum(metrics, 'oxv_inference_request_failure_total', { reason: code })).toBeGreaterThanOrEqual(1);
      const ok = await post('/v2/models/invert/infer/image', await solidImage(4, 4, [0, 0, 0]));
      expect(ok.statusCode).toBe(200);
    },
  );
});
