import { describe, expect, it } from 'vitest';
import { createTensor, type Tensor } from '@oxidizedvision/runtime';
import { judge } from '../dist/validate/judge.js';
import { degenerateOutputs } from '../dist/validate/degenerate.js';
import { matchDetections, variableLengthOutputs } from '../dist/validate/detections.js';

const TOL = { mae: 1e-4, cosine: 0.9999, max_abs: undefined };

const f32 = (shape: number[], values: number[]): Tensor => createTensor('float32', shape, values);
const i64 = (values: number[]): Tensor => createTensor('int64', [values.length], values);

function detections(rows: { box: number[]; score: number; label: number }[]): Record<string, Tensor> {
  return {
    boxes: f32(
      [rows.length, 4],
      rows.flatMap((r) => r.box),
    ),
    scores: f32(
      [rows.length],
      rows.map((r) => r.score),
    ),
    labels: i64(rows.map((r) => r.label)),
  };
}

const A = { box: [10, 10, 50, 50], score: 0.9, label: 1 };
const B = { box: [60, 20, 90, 80], score: 0.7, label: 2 };
const C = { box: [12, 11, 49, 52], score: 0.4, label: 2 };

describe('degenerate reference outputs', () => {
  it('names an all-zero, a negligible, a constant and a non-finite output', () => {
    const found = degenerateOutputs(
      [
        {
          zero: f32([4], [0, 0, 0, 0]),
          tiny: f32([3], [4e-14, -1e-15, 2e-14]),
          flat: f32([3], [0.2, 0.2, 0.2]),
          nan: f32([2], [1, NaN]),
          fine: f32([3], [0.1, -2, 3]),
          labels: i64([3, 3, 3]),
        },
      ],
      'random',
    );
    expect(found).toEqual([
      { output: 'zero', inputs: 'random', reason: 'all zero' },
      { output: 'tiny', inputs: 'random', reason: 'numerically negligible (max |x| = 4.00e-14)' },
      { output: 'flat', inputs: 'random', reason: 'constant (every value 0.2)' },
      expect.objectContaining({ output: 'nan', reason: expect.stringMatching(/^not finite/) }),
    ]);
  });

  it('flags an output that is the same for every random input, and says on which test a problem is', () => {
    const same = f32([2], [1, 2]);
    expect(degenerateOutputs([{ y: same }, { y: f32([2], [1, 2]) }], 'random')).toEqual([
      { output: 'y', inputs: 'random', reason: 'the same on all 2 inputs (it does not depend on them)' },
    ]);
    expect(degenerateOutputs([{ y: f32([2], [1, 2]) }, { y: f32([2], [0, 0]) }], 'random')).toEqual([
      { output: 'y', inputs: 'random', reason: 'all zero on test 1' },
    ]);
  });

  it('treats no detections as degenerate: nothing was compared', () => {
    expect(degenerateOutputs([detections([])], 'random').map((d) => d.output)).toEqual(['boxes', 'scores']);
  });
});

describe('judge on detections', () => {
  const variable = variableLengthOutputs([
    { name: 'boxes', dtype: 'float32', shape: ['detections', 4] },
    { name: 'scores', dtype: 'float32', shape: ['detections'] },
    { name: 'labels', dtype: 'int64', shape: ['detections'] },
  ]);

  it('matches detections as sets: another order passes', () => {
    const rows = judge('onnxruntime-node', 'random', [detections([A, B, C])], [detections([C, A, B])], TOL, variable);
    expect(rows.map((r) => [r.output, r.passed, r.mae])).toEqual([
      ['boxes', true, 0],
      ['scores', true, 0],
      ['labels', true, 0],
    ]);
    expect(rows[0]!.counts).toEqual([{ reference: 3, target: 3 }]);
  });

  it('pairs by label and IoU, then compares the numbers', () => {
    const moved = { ...A, box: [10.5, 10, 50, 50], score: 0.9001 };
    const match = matchDetections(detections([A, B, C]), detections([B, C, moved]));
    expect(match).toEqual([2, 0, 1]);
    const rows = judge(
      'onnxruntime-web',
      'random',
      [detections([A, B, C])],
      [detections([B, C, moved])],
      TOL,
      variable,
    );
    const boxes = rows.find((r) => r.output === 'boxes')!;
    expect(boxes.max_abs_error).toBeCloseTo(0.5, 6);
    expect(boxes.passed).toBe(false);
    expect(boxes.reason).toMatch(/^MAE 4\.17e-2 > 0\.0001/);
  });

  it('reports a count mismatch with the runtime and both counts', () => {
    const rows = judge(
      'onnxruntime-node',
      'random',
      [detections([A, B]), detections([A, B, C])],
      [detections([A, B]), detections([A, C])],
      TOL,
      variable,
    );
    for (const row of rows) {
      expect(row.passed).toBe(false);
      expect(row.reason).toBe('onnxruntime-node found 2 detections, PyTorch 3 (test 1)');
    }
    expect(rows[0]!.counts).toEqual([
      { reference: 2, target: 2 },
      { reference: 3, target: 2 },
    ]);
  });

  it('says how many reference detections found no partner', () => {
    const far = { ...A, box: [200, 200, 240, 240] };
    const rows = judge('onnxruntime-node', 'random', [detections([A, B])], [detections([far, B])], TOL, variable);
    expect(rows[0]!.reason).toMatch(
      /^1 of PyTorch's 2 detections have no onnxruntime-node detection with the same label and IoU ≥ 0\.5 \(or a box within 1 px\)/,
    );
  });

  it('pairs boxes of zero width by distance, since they overlap nothing', () => {
    const flat = { box: [128, 109.763, 128, 112.189], score: 0.11, label: 82 };
    const nudged = { ...flat, box: [128, 109.7631, 128, 112.1889] };
    const far = { ...flat, box: [128, 100, 128, 103] };
    expect(matchDetections(detections([flat, A]), detections([A, nudged]))).toEqual([1, 0]);
    expect(matchDetections(detections([flat]), detections([far]))).toEqual([-1]);
  });

  it('reports errors relative to the reference scale', () => {
    const [row] = judge(
      'onnxruntime-node',
      'random',
      [{ y: f32([2], [100, -300]) }],
      [{ y: f32([2], [100.2, -300]) }],
      TOL,
    );
    expect(row!.relative_mae).toBeCloseTo(0.1 / 200, 6);
    expect(row!.relative_max_error).toBeCloseTo(0.2 / 300, 6);
  });

  it('says when an MAE failure is only rounding at the output scale', () => {
    const ref = f32([3], [1000, -2000, 3000]);
    const [noise] = judge('onnxruntime-node', 'random', [{ y: ref }], [{ y: f32([3], [1000.001, -2000, 3000]) }], TOL);
    expect(noise!.passed).toBe(false);
    expect(noise!.reason).toMatch(
      /^MAE 3\.\d+e-4 > 0\.0001 \(only 1\.\de-7 of the output's mean \|x\|: float32 rounding/,
    );
    const [real] = judge('onnxruntime-node', 'random', [{ y: ref }], [{ y: f32([3], [1001, -2000, 3000]) }], TOL);
    expect(real!.reason).toBe('MAE 3.33e-1 > 0.0001');
  });
});
