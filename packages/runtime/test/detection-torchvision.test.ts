import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import {
  COCO_CATEGORIES,
  batchedNms,
  createRng,
  createTensor,
  decodeDetections,
  nms,
  planPlacement,
} from '@oxidizedvision/runtime';

/**
 * The detection postprocessing against torchvision's own: the same random boxes through
 * torchvision.ops.nms / batched_nms and the R-CNN transform's resize_boxes + clip_boxes_to_image, in
 * Debian's /usr/bin/python3 (torch 1.13; CI installs it too).
 */
const PYTHON = '/usr/bin/python3';

const SCRIPT = String.raw`
import json, sys, torch, torchvision
from torchvision.ops import nms, batched_nms, clip_boxes_to_image
from torchvision.models.detection.transform import resize_boxes
from torchvision.models.detection import FasterRCNN_ResNet50_FPN_Weights
job = json.load(sys.stdin)
boxes = torch.tensor(job["boxes"], dtype=torch.float32)
scores = torch.tensor(job["scores"], dtype=torch.float32)
classes = torch.tensor(job["classes"], dtype=torch.int64)
out = {
  "nms": nms(boxes, scores, job["iou"]).tolist(),
  "batched": batched_nms(boxes, scores, classes, job["iou"]).tolist(),
  "categories": FasterRCNN_ResNet50_FPN_Weights.COCO_V1.meta["categories"],
}
h, w = job["input"]
H, W = job["original"]
out["resized"] = clip_boxes_to_image(resize_boxes(boxes, (h, w), (H, W)), (H, W)).tolist()
print(json.dumps(out))
`;

interface Job {
  boxes: number[][];
  scores: number[];
  classes: number[];
  iou: number;
  input: [number, number];
  original: [number, number];
}

function torchvision(job: Job): { nms: number[]; batched: number[]; resized: number[][]; categories: string[] } {
  return JSON.parse(execFileSync(PYTHON, ['-c', SCRIPT], { input: JSON.stringify(job), encoding: 'utf8' }));
}

/** Clustered random boxes (so many overlap), float32 like a model's output, scores without ties. */
function randomJob(seed: number, n: number): Job {
  const rng = createRng(seed);
  const f32 = (v: number): number => Math.fround(v);
  const boxes: number[][] = [];
  for (let i = 0; i < n; i++) {
    const cx = 40 + 240 * Math.floor(rng.next() * 4) * 0.25 + rng.next() * 30;
    const cy = 30 + 160 * Math.floor(rng.next() * 3) * 0.33 + rng.next() * 30;
    const w = 10 + rng.next() * 80;
    const h = 10 + rng.next() * 60;
    // Some boxes run off the 320x240 input, so clipping has work to do.
    boxes.push([f32(cx - w / 2 - 20), f32(cy - h / 2 - 10), f32(cx + w / 2), f32(cy + h / 2)]);
  }
  const scores = Array.from({ length: n }, () => f32(rng.next()));
  const classes = Array.from({ length: n }, () => Math.floor(rng.next() * 3));
  return { boxes, scores, classes, iou: 0.5, input: [240, 320], original: [600, 1000] };
}

describe('detection postprocessing matches torchvision', () => {
  it('keeps the same boxes as torchvision.ops.nms and batched_nms, in the same order', () => {
    for (const [seed, n, iou] of [
      [1, 60, 0.5],
      [2, 200, 0.3],
      [3, 120, 0.7],
    ] as const) {
      const job = { ...randomJob(seed, n), iou };
      const expected = torchvision(job);
      const flat = job.boxes.flat();
      expect(nms(flat, job.scores, iou), `nms seed ${seed}`).toEqual(expected.nms);
      expect(batchedNms(flat, job.scores, job.classes, iou), `batched seed ${seed}`).toEqual(expected.batched);
      // Not vacuous: suppression removed boxes, and class-awareness kept some nms alone removed.
      expect(expected.nms.length).toBeLessThan(n);
      expect(expected.batched.length).toBeGreaterThan(expected.nms.length);
    }
  });

  it('maps boxes back to the original image like resize_boxes + clip_boxes_to_image', () => {
    const job = randomJob(4, 80);
    const expected = torchvision(job);
    const [h, w] = job.input;
    const [H, W] = job.original;
    const outputs = {
      boxes: createTensor('float32', [80, 4], job.boxes.flat()),
      scores: createTensor('float32', [80], job.scores),
      labels: createTensor('int64', [80], job.classes.map(BigInt)),
    };
    const placement = planPlacement(W, H, { size: [h, w], resize: 'stretch' });
    const detections = decodeDetections(outputs, { scoreThreshold: 0, placement, width: W, height: H });
    expect(detections).toHaveLength(80);
    for (const d of detections) {
      const row = job.scores.indexOf(d.score);
      const want = expected.resized[row]!;
      // torchvision computes in float32; ours in float64.
      for (let c = 0; c < 4; c++) expect(d.box[c]).toBeCloseTo(want[c]!, 3);
    }
  });

  it('commits the 91 COCO category names in torchvision order', () => {
    expect(COCO_CATEGORIES).toEqual(torchvision(randomJob(5, 2)).categories);
  });
});
