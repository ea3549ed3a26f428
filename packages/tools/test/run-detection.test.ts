import { copyFileSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { rectanglesPng } from '../../runtime/test/helpers.js';
import { COCO_CATEGORIES, type ModelCard } from '@oxidizedvision/runtime';
import { runImages } from '@oxidizedvision/tools';
import { minimalCard } from './helpers/onnx-fixtures.js';

/** Built by packages/runtime/test/fixtures/make_detection_fixtures.py. */
const fixture = (name: string): string =>
  fileURLToPath(new URL(`../../runtime/test/fixtures/${name}`, import.meta.url));

const tmp = (prefix: string): string => mkdtempSync(join(tmpdir(), `oxv-det-${prefix}-`));

const DETECTOR_IO: Partial<ModelCard> = {
  inputs: [{ name: 'image', dtype: 'float32', shape: [1, 3, 64, 64] }],
  outputs: [
    { name: 'boxes', dtype: 'float32', shape: ['detections', 4] },
    { name: 'scores', dtype: 'float32', shape: ['detections'] },
    { name: 'labels', dtype: 'int64', shape: ['detections'] },
  ],
};

/** A runtime fixture copied to a fresh folder, with a card (unless null) whose input is size², 0–1 RGB. */
function fixtureModel(
  file: string,
  card: Partial<ModelCard> | null,
  { size = 64, resize = 'stretch' }: { size?: number; resize?: 'stretch' | 'letterbox' } = {},
): string {
  const dir = tmp('model');
  const onnx = join(dir, 'model.onnx');
  copyFileSync(fixture(file), onnx);
  if (card) {
    const preprocess = {
      size: [size, size],
      resize,
      scale: 1 / 255,
      mean: [0],
      std: [1],
      layout: 'NCHW',
      channel_order: 'RGB',
    };
    writeFileSync(
      join(dir, 'model.card.json'),
      JSON.stringify(minimalCard('model', { preprocess, ...card } as Partial<ModelCard>)),
    );
  }
  return onnx;
}

const detector = (
  card: Partial<ModelCard> | null,
  file = 'colour_boxes.onnx',
  resize: 'stretch' | 'letterbox' = 'stretch',
) => fixtureModel(file, card && { ...DETECTOR_IO, ...card }, { resize });

/** rectanglesPng written to `path`. */
async function picture(path: string, ...args: Parameters<typeof rectanglesPng>) {
  writeFileSync(path, await rectanglesPng(...args));
  return path;
}

describe('run --task detection', () => {
  it('finds boxes in the original pixels of a large image (stretched to 64x64 and back), labelled from the card', async () => {
    const dir = tmp('in');
    // 1280x640 → 64x64 is 20x and 10x: one model pixel of error is 20 / 10 source pixels.
    const input = await picture(join(dir, 'big.png'), 1280, 640, [
      { x: 200, y: 100, w: 400, h: 300, rgb: [230, 0, 0] },
      { x: 900, y: 400, w: 300, h: 200, rgb: [0, 200, 0] },
    ]);
    const onnx = detector({ task: 'detection', labels: ['background', 'red', 'green', 'blue'] });
    const out = tmp('out');
    const summary = await runImages(onnx, [input], { out });
    expect(summary).toMatchObject({ task: 'detection', succeeded: 1 });
    const [red, green] = summary.files[0]!.detections!;
    expect(red).toMatchObject({ label: 'red', class_id: 1 });
    expect(red!.score).toBeCloseTo(230 / 255, 5);
    expect(green).toMatchObject({ label: 'green', class_id: 2 });
    const near = (got: number[], want: number[]) =>
      got.forEach((v, i) => expect(Math.abs(v - want[i]!)).toBeLessThanOrEqual(i % 2 ? 10 : 20));
    near(red!.box, [200, 100, 600, 400]);
    near(green!.box, [900, 400, 1200, 600]);
    // The drawn picture: the source size, the red box's outline in its class colour at its left edge.
    const drawn = join(out, 'big.detections.png');
    expect(summary.files[0]!.outputs).toEqual([drawn]);
    const { data, info } = await sharp(drawn).raw().toBuffer({ resolveWithObject: true });
    expect(info).toMatchObject({ width: 1280, height: 640, channels: 3 });
    const at = (x: number, y: number) => [...data.subarray((y * 1280 + x) * 3, (y * 1280 + x) * 3 + 3)];
    const edge = Math.round(red!.box[0]) + 1;
    expect(at(edge, 250)).not.toEqual([230, 0, 0]);
    expect(at(400, 250)).toEqual([230, 0, 0]); // inside the box: untouched
    expect(at(100, 600)).toEqual([0, 0, 0]); // outside every box and label
  });

  it('undoes a letterbox, filters by score, caps the count, and writes no file without -o', async () => {
    const dir = tmp('lb');
    // 256x128 letterboxed into 64x64: scale 1/4, 16 rows of padding on top.
    const input = await picture(join(dir, 'wide.png'), 256, 128, [
      { x: 16, y: 8, w: 64, h: 48, rgb: [250, 0, 0] },
      { x: 160, y: 64, w: 80, h: 56, rgb: [0, 0, 160] },
    ]);
    const onnx = detector({ task: 'detection', labels: null }, 'colour_boxes.onnx', 'letterbox');
    const all = await runImages(onnx, [input], {});
    const [red, blue] = all.files[0]!.detections!;
    expect(all.files[0]!.outputs).toEqual([]);
    expect(red!.label).toBe('1'); // no labels: the id
    expect(blue!.label).toBe('3');
    for (const [got, want] of [
      [red!.box, [16, 8, 80, 56]],
      [blue!.box, [160, 64, 240, 120]],
    ] as const)
      got.forEach((v, i) => expect(Math.abs(v - want[i]!)).toBeLessThanOrEqual(4));
    expect(
      (await runImages(onnx, [input], { scoreThreshold: 0.8 })).files[0]!.detections!.map((d) => d.class_id),
    ).toEqual([1]);
    expect((await runImages(onnx, [input], { maxDetections: 1 })).files[0]!.detections).toHaveLength(1);
    const empty = await picture(join(dir, 'black.png'), 40, 30, []);
    const out = tmp('empty-out');
    const none = await runImages(onnx, [empty], { out });
    expect(none.files[0]).toMatchObject({ ok: true, detections: [], outputs: [join(out, 'black.detections.png')] });
  });

  it('reports keypoints, infers the task from the output names, and names COCO classes for torchvision detectors', async () => {
    const dir = tmp('kp');
    const input = await picture(join(dir, 'kp.png'), 128, 128, [{ x: 32, y: 32, w: 64, h: 32, rgb: [0, 0, 255] }]);
    const card: Partial<ModelCard> = {
      task: null,
      outputs: [
        ...DETECTOR_IO.outputs!,
        { name: 'keypoints', dtype: 'float32', shape: ['detections', 2, 3] },
        { name: 'keypoints_scores', dtype: 'float32', shape: ['detections', 2] },
      ],
      source: { ...minimalCard('x', {}).source, kind: 'torchvision', arch: 'keypointrcnn_resnet50_fpn', init_args: {} },
    };
    const summary = await runImages(detector(card, 'colour_boxes_keypoints.onnx'), [input], {});
    expect(summary.task).toBe('detection');
    const [d] = summary.files[0]!.detections!;
    expect(d!.label).toBe(COCO_CATEGORIES[3]);
    expect(d!.keypoints).toHaveLength(2);
    const [[x1, y1, s1], [x2, y2, s2]] = d!.keypoints!;
    expect([x1, y1, x2, y2].map((v) => Math.round(v!))).toEqual([32, 32, 96, 64]);
    expect([s1, s2]).toEqual([1, 0.5]);
    // No card at all: the output names alone make it a detector.
    expect((await runImages(detector(null), [input], {})).task).toBe('detection');
  });

  it('refuses detection on a model without the contract outputs, and bad thresholds, before reading images', async () => {
    const dir = tmp('bad');
    const input = await picture(join(dir, 'x.png'), 8, 8, []);
    const seg = detector(null, 'seg_out_aux.onnx');
    await expect(runImages(seg, [input], { task: 'detection' })).rejects.toMatchObject({
      code: 'ERR_USAGE',
      message: /outputs "aux", "out"; detection needs outputs named boxes, scores and labels/,
    });
    const onnx = detector({ task: 'detection' });
    await expect(runImages(onnx, [input], { scoreThreshold: 2 })).rejects.toMatchObject({
      code: 'ERR_USAGE',
      message: /--score-threshold/,
    });
    await expect(runImages(onnx, [input], { maxDetections: 0 })).rejects.toMatchObject({
      code: 'ERR_USAGE',
      message: /--max-detections/,
    });
  });
});

describe('run --task segmentation on a torchvision-style {out, aux} model', () => {
  it('reads "out" (not the first output, "aux"): red pixels are class 0, green class 1', async () => {
    const dir = tmp('seg');
    const input = await picture(join(dir, 'rg.png'), 32, 32, [
      { x: 0, y: 0, w: 16, h: 32, rgb: [255, 0, 0] },
      { x: 16, y: 0, w: 16, h: 32, rgb: [0, 255, 0] },
    ]);
    const card: Partial<ModelCard> = {
      task: 'segmentation',
      inputs: [{ name: 'image', dtype: 'float32', shape: [1, 3, 16, 16] }],
      outputs: [
        { name: 'aux', dtype: 'float32', shape: [1, 2, 16, 16] },
        { name: 'out', dtype: 'float32', shape: [1, 2, 16, 16] },
      ],
    };
    const onnx = fixtureModel('seg_out_aux.onnx', card, { size: 16 });
    const out = tmp('seg-out');
    await runImages(onnx, [input], { out });
    const { data } = await sharp(join(out, 'rg.mask.png')).raw().toBuffer({ resolveWithObject: true });
    expect(data[4 * 32 + 2]).toBe(0);
    expect(data[4 * 32 + 29]).toBe(1);
  });
});
