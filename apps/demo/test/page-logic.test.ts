// The page's pure helpers, in Node: shape checks, postprocessing and the variant trial's bookkeeping that
// the browser tests only reach through the denoiser.
import { describe, expect, it } from 'vitest';
import { COCO_CATEGORIES, layoutDetections, type ModelCard, type Runner } from '@oxidizedvision/runtime';

import { describeDetection, paintDetections, type Painter } from '../src/draw-detections.js';
import { resolveModelSpec } from '../src/model-spec.js';
import { topK } from '../src/postprocess.js';
import { describeTrial } from '../src/variant-trial.js';
import { median, runTrial } from '../src/worker-trial.js';

describe('resolveModelSpec', () => {
  it('refuses a model whose input is not rank 4, naming the shape', () => {
    expect(() => resolveModelSpec('m', [{ name: 'x', dtype: 'float32', shape: [2, 4, 16] }], [], null)).toThrow(
      /wrong input rank.*\[2, 4, 16\] \(rank 3\)/,
    );
  });

  it('guesses NCHW 0–1 preprocessing from the input shape when there is no card', () => {
    const spec = resolveModelSpec(
      'net.onnx',
      [{ name: 'x', dtype: 'float32', shape: [1, 3, 224, 224] }],
      [{ name: 'y', dtype: 'float32', shape: [1, 1000] }],
      null,
    );
    expect(spec.task).toBe('classification');
    expect(spec.preprocess).toMatchObject({ size: [224, 224], layout: 'NCHW', channel_order: 'RGB', scale: 1 / 255 });
  });

  it('falls back to 256² for free spatial dimensions and reads NHWC grey inputs', () => {
    const spec = resolveModelSpec(
      'm',
      [{ name: 'x', dtype: 'float32', shape: ['n', 'h', 'w', 1] }],
      [{ name: 'y', dtype: 'float32', shape: ['n', 5, 'h', 'w'] }],
      null,
    );
    expect(spec.preprocess).toMatchObject({ size: [256, 256], layout: 'NHWC', channel_order: 'GRAY' });
    expect(spec.task).toBe('segmentation');
  });
});

describe('resolveModelSpec for torchvision models', () => {
  const image = [{ name: 'image', dtype: 'float32', shape: [1, 3, 320, 320] }];
  it('reads a detector from its output names, with COCO labels for a torchvision card', () => {
    const outputs = ['boxes', 'labels', 'scores'].map((name) => ({ name, dtype: 'float32', shape: ['detections'] }));
    expect(resolveModelSpec('det.onnx', image, outputs, null)).toMatchObject({ task: 'detection', labels: null });
    const card = {
      name: 'frcnn',
      task: 'detection',
      labels: null,
      preprocess: {
        size: [320, 320],
        resize: 'stretch',
        scale: 1 / 255,
        mean: [0],
        std: [1],
        layout: 'NCHW',
        channel_order: 'RGB',
      },
      source: { kind: 'torchvision', arch: 'fasterrcnn_mobilenet_v3_large_320_fpn', init_args: {} },
    } as unknown as ModelCard;
    expect(resolveModelSpec('det.onnx', image, outputs, card).labels).toBe(COCO_CATEGORIES);
  });

  it('picks "out" of a torchvision segmentation model even when "aux" comes first', () => {
    const outputs = ['aux', 'out'].map((name) => ({ name, dtype: 'float32', shape: [1, 21, 320, 320] }));
    expect(resolveModelSpec('seg.onnx', image, outputs, null)).toMatchObject({
      task: 'segmentation',
      outputName: 'out',
    });
  });
});

describe('drawing detections', () => {
  /** Records what a canvas 2D context would be asked to draw. */
  function recorder(): Painter & { calls: unknown[][] } {
    const calls: unknown[][] = [];
    const note =
      (name: string) =>
      (...args: unknown[]) => {
        calls.push([name, ...args]);
      };
    return {
      calls,
      lineWidth: 0,
      font: '',
      textBaseline: 'top',
      fillStyle: '',
      strokeStyle: '',
      strokeRect: note('strokeRect'),
      fillRect: note('fillRect'),
      fillText: note('fillText'),
      beginPath: note('beginPath'),
      arc: note('arc'),
      fill: note('fill'),
      stroke: note('stroke'),
    };
  }

  it('outlines each box inside its edges, fills its label tab and writes the label at the layout position', () => {
    const detection = {
      label: 'dog',
      class_id: 18,
      score: 0.91,
      box: [100, 80, 300, 280] as [number, number, number, number],
    };
    const layout = layoutDetections([detection], 1000, 800);
    const ctx = recorder();
    paintDetections(ctx, layout);
    const [item] = layout.items;
    const w = layout.lineWidth;
    expect(ctx.calls).toEqual([
      ['strokeRect', 100 + w / 2, 80 + w / 2, 200 - w, 200 - w],
      ['fillRect', item!.label.x, item!.label.y, item!.label.width, item!.label.height],
      ['fillText', 'dog 91%', item!.textX, item!.textY],
    ]);
    expect(ctx.font).toBe(`${layout.fontSize}px monospace`);
    expect(ctx.lineWidth).toBe(w);
    expect(describeDetection(detection)).toBe('dog — 91.0% at [100, 80, 300, 280]');
  });

  it('draws a dot per visible keypoint only', () => {
    const keypoints: [number, number, number][] = [
      [10, 10, 1],
      [20, 20, 0],
    ];
    const ctx = recorder();
    paintDetections(
      ctx,
      layoutDetections([{ label: 'p', class_id: 1, score: 1, box: [0, 0, 50, 50], keypoints }], 64, 64),
    );
    expect(ctx.calls.filter((c) => c[0] === 'arc').map((c) => c.slice(1, 3))).toEqual([[10, 10]]);
  });
});

describe('postprocessing', () => {
  it('ranks classes by softmax probability, with the card labels', () => {
    const best = topK(Float32Array.from([0, 2, 1]), ['cat', 'dog', 'fox'], 2);
    expect(best.map((b) => b.label)).toEqual(['dog', 'fox']);
    expect(best[0]!.p).toBeCloseTo(Math.exp(2) / (1 + Math.exp(1) + Math.exp(2)), 6);
  });
});

describe('variant trial', () => {
  type Fake = Runner & { disposed: boolean; runs: number };
  /** A runner whose every run takes `delayMs` (wall clock), with input `x` unless told otherwise. */
  function fakeRunner(delayMs: number, input = 'x'): Fake {
    const fake: Fake = {
      backend: 'fake',
      disposed: false,
      runs: 0,
      info: () => ({
        backend: 'fake',
        executionProviders: ['wasm'],
        inputs: [{ name: input, dtype: 'float32', shape: [1, 3, 2, 2] }],
        outputs: [{ name: 'y', dtype: 'float32', shape: [1, 3, 2, 2] }],
      }),
      run: async () => {
        fake.runs++;
        await new Promise((done) => setTimeout(done, delayMs));
        return {};
      },
      dispose: async () => {
        fake.disposed = true;
      },
    };
    return fake;
  }
  const choice = { provider: 'wasm' as const, threads: 1, reason: 'test' };

  it('keeps the fastest variant loaded, disposes the others and reports one that cannot stand in', async () => {
    const served = fakeRunner(50);
    const made: Record<string, Fake> = { int8: fakeRunner(1), fp16: fakeRunner(25), renamed: fakeRunner(1, 'other') };
    const progress: string[] = [];
    const { result, winner } = await runTrial(
      {
        id: 1,
        type: 'trial',
        loaded: 'default',
        others: ['fp16', 'int8', 'renamed'].map((variant) => ({ variant, model: new TextEncoder().encode(variant) })),
        input: new Float32Array(12),
        shape: [1, 3, 2, 2],
        runs: 3,
      },
      { variant: 'default', runner: served, loadMs: 1 },
      choice,
      async (bytes) => made[new TextDecoder().decode(bytes)]!,
      (p) => progress.push(`${p.variant} ${p.index}/${p.of} ${p.run}/${p.runs}`),
    );
    expect(result.picked).toBe('int8');
    expect(winner.runner).toBe(made.int8);
    expect(result.timings.map((t) => t.variant)).toEqual(['default', 'fp16', 'int8']);
    for (const t of result.timings) expect(t.timesMs).toHaveLength(3);
    expect(result.failed).toEqual([
      { variant: 'renamed', message: expect.stringMatching(/inputs \(other: float32\)/) },
    ]);
    // One warm-up and three timed runs each; every loser released.
    expect([served.runs, made.fp16!.runs, made.int8!.runs]).toEqual([4, 4, 4]);
    expect([served.disposed, made.fp16!.disposed, made.int8!.disposed, made.renamed!.disposed]).toEqual([
      true,
      true,
      false,
      true,
    ]);
    expect(progress).toContain('int8 3/4 3/3');
    expect(describeTrial(result)).toMatch(
      /^picked int8 on wasm: \d+\.\d ms vs default \d+\.\d ms, fp16 \d+\.\d ms \(median of 3 runs\); renamed could not run: /,
    );
  });

  it('takes the median of the timed runs', () => {
    expect(median([30, 10, 20])).toBe(20);
    expect(median([4, 1, 3, 2])).toBe(2.5);
  });
});
