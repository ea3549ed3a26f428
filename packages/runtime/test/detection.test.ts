import { describe, expect, it } from 'vitest';
import {
  COCO_CATEGORIES,
  createTensor,
  decodeDetections,
  detectionLabels,
  detectionStyle,
  hasDetectionOutputs,
  layoutDetections,
  planPlacement,
  segmentationOutput,
  type Detection,
  type ModelCard,
} from '@oxidizedvision/runtime';

/** Contract-shaped outputs from rows [x1, y1, x2, y2, score, label]. */
function outputs(rows: number[][], keypoints?: number[][][]) {
  const n = rows.length;
  return {
    boxes: createTensor(
      'float32',
      [n, 4],
      rows.flatMap((r) => r.slice(0, 4)),
    ),
    scores: createTensor(
      'float32',
      [n],
      rows.map((r) => r[4]!),
    ),
    labels: createTensor(
      'int64',
      [n],
      rows.map((r) => BigInt(r[5]!)),
    ),
    ...(keypoints ? { keypoints: createTensor('float32', [n, keypoints[0]!.length, 3], keypoints.flat(2)) } : {}),
  };
}

describe('decodeDetections', () => {
  it('undoes a letterbox: padding off, scale undone, boxes clipped to the image', () => {
    // 200x100 letterboxed into 64x64: scaled to 64x32, 16 px of padding above and below.
    const placement = planPlacement(200, 100, { size: [64, 64], resize: 'letterbox' });
    expect(placement).toEqual({ scaledWidth: 64, scaledHeight: 32, offsetX: 0, offsetY: 16 });
    const [d] = decodeDetections(outputs([[8, 20, 72, 60, 0.9, 1]]), { placement, width: 200, height: 100 });
    expect(d!.box[0]).toBeCloseTo(25, 9);
    expect(d!.box[1]).toBeCloseTo(12.5, 9);
    expect(d!.box[2]).toBe(200); // 72 → 225, clipped
    expect(d!.box[3]).toBe(100); // 60 → 137.5, clipped
  });

  it('undoes fill: the centre crop offset is negative', () => {
    const placement = planPlacement(100, 50, { size: [32, 32], resize: 'fill' });
    expect(placement).toEqual({ scaledWidth: 64, scaledHeight: 32, offsetX: -16, offsetY: 0 });
    const [d] = decodeDetections(outputs([[0, 0, 32, 32, 1, 0]]), { placement, width: 100, height: 50 });
    expect(d!.box).toEqual([25, 0, 75, 50]);
  });

  it('filters by score, sorts best first, caps the count and names classes', () => {
    const placement = planPlacement(10, 10, { size: [10, 10], resize: 'stretch' });
    const rows = [
      [0, 0, 1, 1, 0.3, 1],
      [0, 0, 2, 2, 0.8, 2],
      [0, 0, 3, 3, 0.95, 7],
      [0, 0, 4, 4, 0.6, 1],
    ];
    const all = decodeDetections(outputs(rows), { placement, width: 10, height: 10, labels: ['bg', 'cat', 'dog'] });
    expect(all.map((d) => [d.label, d.class_id])).toEqual([
      ['7', 7],
      ['dog', 2],
      ['cat', 1],
    ]);
    const top = decodeDetections(outputs(rows), {
      placement,
      width: 10,
      height: 10,
      maxDetections: 1,
      scoreThreshold: 0.1,
    });
    expect(top.map((d) => d.score)).toEqual([Math.fround(0.95)]);
  });

  it('applies class-aware NMS only when asked', () => {
    const placement = planPlacement(100, 100, { size: [100, 100], resize: 'stretch' });
    const rows = [
      [10, 10, 50, 50, 0.9, 1],
      [12, 12, 52, 52, 0.8, 1], // overlaps the first, same class: suppressed
      [12, 12, 52, 52, 0.7, 2], // same place, other class: kept
    ];
    const base = { placement, width: 100, height: 100 };
    expect(decodeDetections(outputs(rows), base)).toHaveLength(3);
    const kept = decodeDetections(outputs(rows), { ...base, iouThreshold: 0.5 });
    expect(kept.map((d) => d.score)).toEqual([0.9, 0.7].map(Math.fround));
  });

  it('maps keypoints with the boxes (unclipped), scoring them by keypoints_scores when present', () => {
    const placement = planPlacement(20, 40, { size: [10, 10], resize: 'stretch' });
    const o = outputs(
      [[1, 1, 5, 5, 0.9, 1]],
      [
        [
          [1, 2, 1],
          [11, 3, 0],
        ],
      ],
    );
    const [d] = decodeDetections(o, { placement, width: 20, height: 40 });
    expect(d!.keypoints).toEqual([
      [2, 8, 1],
      [22, 12, 0],
    ]);
    const scored = { ...o, keypoints_scores: createTensor('float32', [1, 2], [0.25, 0.5]) };
    expect(decodeDetections(scored, { placement, width: 20, height: 40 })[0]!.keypoints!.map((k) => k[2])).toEqual([
      0.25, 0.5,
    ]);
  });

  it('accepts an empty result and a leading batch of 1; refuses missing or mismatched outputs', () => {
    const placement = planPlacement(8, 8, { size: [8, 8], resize: 'stretch' });
    const opts = { placement, width: 8, height: 8 };
    expect(decodeDetections(outputs([]), opts)).toEqual([]);
    const batched = {
      boxes: createTensor('float32', [1, 1, 4], [0, 0, 4, 4]),
      scores: createTensor('float32', [1, 1], [0.9]),
      labels: createTensor('int64', [1, 1], [3n]),
    };
    expect(decodeDetections(batched, opts)[0]!.box).toEqual([0, 0, 4, 4]);
    const { labels: _, ...noLabels } = outputs([[0, 0, 1, 1, 1, 1]]);
    expect(() => decodeDetections(noLabels, opts)).toThrow(/must output "labels"; this one gave boxes, scores/);
    const wrong = { ...outputs([[0, 0, 1, 1, 1, 1]]), scores: createTensor('float32', [2], [1, 1]) };
    expect(() => decodeDetections(wrong, opts)).toThrow(/1 boxes, 2 scores, 1 labels/);
    const flat = { ...outputs([[0, 0, 1, 1, 1, 1]]), boxes: createTensor('float32', [4], [0, 0, 1, 1]) };
    expect(() => decodeDetections(flat, opts)).toThrow(/"boxes" must be \[N, 4\]; got \[4\]/);
  });
});

describe('detection labels and outputs', () => {
  const card = (source: Partial<ModelCard['source']>, labels: string[] | null = null) =>
    ({
      labels,
      source: { kind: 'torchvision', arch: 'fasterrcnn_mobilenet_v3_large_320_fpn', init_args: {}, ...source },
    }) as Pick<ModelCard, 'labels' | 'source'>;

  it("uses the config's labels, else COCO's for torchvision COCO detectors, else none", () => {
    expect(detectionLabels(card({}, ['a', 'b']))).toEqual(['a', 'b']);
    expect(detectionLabels(card({}))).toBe(COCO_CATEGORIES);
    expect(detectionLabels(card({ init_args: { num_classes: 91 } }))).toBe(COCO_CATEGORIES);
    expect(detectionLabels(card({ init_args: { num_classes: 4 } }))).toBeNull();
    expect(detectionLabels(card({ arch: 'keypointrcnn_resnet50_fpn', init_args: { num_classes: 2 } }))).toBe(
      COCO_CATEGORIES,
    );
    expect(detectionLabels(card({ kind: 'python' }))).toBeNull();
    expect(detectionLabels(null)).toBeNull();
    expect(COCO_CATEGORIES).toHaveLength(91);
    expect([COCO_CATEGORIES[0], COCO_CATEGORIES[1], COCO_CATEGORIES[12], COCO_CATEGORIES[90]]).toEqual([
      '__background__',
      'person',
      'N/A',
      'toothbrush',
    ]);
  });

  it('recognises the contract outputs and picks torchvision segmentation\'s "out"', () => {
    expect(hasDetectionOutputs([{ name: 'boxes' }, { name: 'labels' }, { name: 'scores' }])).toBe(true);
    expect(hasDetectionOutputs([{ name: 'boxes' }, { name: 'scores' }])).toBe(false);
    const aux = { name: 'aux', shape: [1, 21, 8, 8] };
    const out = { name: 'out', shape: [1, 21, 8, 8] };
    expect(segmentationOutput([aux, out])).toBe(out);
    const vec = { name: 'v', shape: [1, 3] };
    const logits = { name: 'logits', shape: [1, 3, 8, 8] };
    expect(segmentationOutput([vec, logits])).toBe(logits);
    expect(segmentationOutput([vec])).toBe(vec);
  });
});

describe('detection drawing layout', () => {
  const detection = (box: Detection['box'], label = 'cat'): Detection => ({ label, class_id: 1, score: 0.876, box });

  it('scales lines and text with the image, never below a legible minimum', () => {
    expect(detectionStyle(1000, 1000)).toMatchObject({ lineWidth: 4, fontSize: 36 });
    expect(detectionStyle(4000, 3000).fontSize).toBe(107);
    expect(detectionStyle(64, 64)).toMatchObject({ lineWidth: 1, fontSize: 12 });
  });

  it('puts a label above its box, inside it at the top edge, and inside the image at the right edge', () => {
    const { items, fontSize } = layoutDetections(
      [detection([100, 200, 300, 400]), detection([10, 0, 50, 50]), detection([390, 100, 400, 120], 'a long label')],
      400,
      500,
    );
    const [above, top, right] = items;
    expect(above!.text).toBe('cat 88%');
    expect(above!.label.y + above!.label.height).toBe(200);
    expect(above!.label.x).toBe(100);
    expect(top!.label.y).toBe(0);
    expect(right!.label.x + right!.label.width).toBe(400);
    // Wide enough for the text in a monospace font (0.6 em a glyph).
    expect(right!.label.width).toBeGreaterThanOrEqual('a long label 88%'.length * fontSize * 0.6);
    expect(above!.textY).toBeGreaterThan(above!.label.y);
    expect(above!.textY).toBeLessThan(above!.label.y + above!.label.height);
  });
});
