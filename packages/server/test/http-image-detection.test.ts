import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import sharp from 'sharp';
import { FIXTURES } from './http-support/fixtures.js';
import { startServer, type TestServer } from './http-support/server.js';
import { rectanglesPng } from '../../runtime/test/helpers.js';

let server: TestServer;
/** colour_boxes with a symbolic batch dim on its input (packages/runtime/test/fixtures). */
const DYNAMIC_BATCH = fileURLToPath(
  new URL('../../runtime/test/fixtures/colour_boxes_dynamic_batch.onnx', import.meta.url),
);

beforeAll(async () => {
  server = await startServer([
    { name: 'boxes', path: FIXTURES.detector },
    { name: 'seg', path: FIXTURES.segOutAux },
    { name: 'batchable', path: DYNAMIC_BATCH },
  ]);
});
afterAll(() => server.close());

const post = (url: string, payload: Buffer | string, type = 'application/octet-stream') =>
  server.app.inject({ method: 'POST', url, payload, headers: { 'content-type': type } });

const picture = rectanglesPng;

// 640x320 stretched to the model's 64x64: one model pixel is 10 x 5 upload pixels.
const UPLOAD = () =>
  picture(640, 320, [
    { x: 100, y: 50, w: 200, h: 150, rgb: [240, 0, 0] },
    { x: 400, y: 200, w: 200, h: 100, rgb: [0, 0, 180] },
  ]);

describe('the image endpoint for a detection model', () => {
  it("answers JSON detections in the upload's pixels, labelled from the card", async () => {
    const response = await post('/v2/models/boxes/infer/image', await UPLOAD());
    expect(response.statusCode, response.body).toBe(200);
    expect(response.headers['content-type']).toMatch(/application\/json/);
    const body = response.json();
    expect(body).toMatchObject({ model_name: 'boxes', model_version: '1', width: 640, height: 320 });
    const [red, blue] = body.detections;
    expect(red).toMatchObject({ label: 'red', class_id: 1 });
    expect(red.score).toBeCloseTo(240 / 255, 5);
    expect(blue).toMatchObject({ label: 'blue', class_id: 3 });
    const near = (got: number[], want: number[]) =>
      got.forEach((v, i) => expect(Math.abs(v - want[i]!), `${i}`).toBeLessThanOrEqual(i % 2 ? 5 : 10));
    near(red.box, [100, 50, 300, 200]);
    near(blue.box, [400, 200, 600, 300]);
  });

  it('answers an empty list for an image with nothing in it (zero rows through the worker)', async () => {
    const response = await post('/v2/models/boxes/infer/image', await picture(50, 40, []));
    expect(response.statusCode, response.body).toBe(200);
    expect(response.json()).toMatchObject({ width: 50, height: 40, detections: [] });
  });

  it('takes score_threshold and max_detections, and refuses bad values with a 400', async () => {
    const upload = await UPLOAD();
    const strict = (await post('/v2/models/boxes/infer/image?score_threshold=0.8', upload)).json();
    expect(strict.detections.map((d: { label: string }) => d.label)).toEqual(['red']);
    const one = (await post('/v2/models/boxes/infer/image?max_detections=1&score_threshold=0', upload)).json();
    expect(one.detections).toHaveLength(1);
    for (const query of ['score_threshold=2', 'score_threshold=', 'max_detections=0', 'nms_iou=x']) {
      const response = await post(`/v2/models/boxes/infer/image?${query}`, upload);
      expect(response.statusCode, query).toBe(400);
      expect(response.headers['x-error-code']).toBe('ERR_BAD_REQUEST');
      expect(response.json().error).toMatch(query.split('=')[0]!);
    }
  });

  it('serves the raw tensors on the OIP endpoint, with the dynamic detection count', async () => {
    const pixels = new Array(3 * 64 * 64).fill(0);
    for (let y = 10; y < 20; y++) for (let x = 5; x < 30; x++) pixels[64 * 64 + y * 64 + x] = 0.75; // green
    const response = await post(
      '/v2/models/boxes/infer',
      JSON.stringify({ inputs: [{ name: 'image', shape: [1, 3, 64, 64], datatype: 'FP32', data: pixels }] }),
      'application/json',
    );
    expect(response.statusCode, response.body).toBe(200);
    const outputs = Object.fromEntries(
      response.json().outputs.map((o: { name: string; shape: number[]; data: number[] }) => [o.name, o]),
    );
    expect(outputs.boxes).toMatchObject({ shape: [1, 4], data: [5, 10, 30, 20] });
    expect(outputs.scores).toMatchObject({ shape: [1], data: [0.75] });
    expect(outputs.labels).toMatchObject({ shape: [1], datatype: 'INT64', data: [2] });
  });
});

describe('a detector with a symbolic batch dim on its input', () => {
  it('is served unbatched: its detections dimension is no batch dimension, so requests are never concatenated', async () => {
    expect(server.manager.metadata('batchable').batching.maxBatchSize).toBe(0);
    const pixels = (x0: number) => {
      const data = new Array(3 * 64 * 64).fill(0);
      for (let y = 10; y < 20; y++) for (let x = x0; x < x0 + 10; x++) data[y * 64 + x] = 0.9;
      return JSON.stringify({ inputs: [{ name: 'image', shape: [1, 3, 64, 64], datatype: 'FP32', data }] });
    };
    const answers = await Promise.all(
      [0, 10, 20, 30].map((x0) => post('/v2/models/batchable/infer', pixels(x0), 'application/json')),
    );
    answers.forEach((response, i) => {
      expect(response.statusCode, response.body).toBe(200);
      const boxes = response.json().outputs.find((o: { name: string }) => o.name === 'boxes');
      expect(boxes).toMatchObject({ shape: [1, 4], data: [i * 10, 10, i * 10 + 10, 20] });
    });
  });
});

describe('the image endpoint for a torchvision-style segmentation model', () => {
  it('reads "out", not the first output "aux": red pixels are class 0, green class 1', async () => {
    const png = await picture(20, 10, [
      { x: 0, y: 0, w: 10, h: 10, rgb: [255, 0, 0] },
      { x: 10, y: 0, w: 10, h: 10, rgb: [0, 255, 0] },
    ]);
    const response = await post('/v2/models/seg/infer/image', png);
    expect(response.statusCode, response.body).toBe(200);
    const data = await sharp(response.rawPayload).extractChannel(0).raw().toBuffer();
    expect([...data.subarray(0, 20)]).toEqual([...new Array(10).fill(0), ...new Array(10).fill(1)]);
  });
});
