import { describe, expect, it } from 'vitest';
import type { ModelCard, TensorInfo } from '@oxidizedvision/runtime';
import {
  axisWeights,
  BlendCanvas,
  planTiles,
  resolveRunSettings,
  tileStarts,
  type RunImagesOptions,
} from '@oxidizedvision/tools';

describe('tile planning', () => {
  it('steps by tile - overlap and puts the last tile flush with the far edge', () => {
    expect(tileStarts(400, 256, 32)).toEqual([0, 144]);
    expect(tileStarts(1000, 256, 32)).toEqual([0, 224, 448, 672, 744]);
    expect(tileStarts(256, 256, 32)).toEqual([0]);
    expect(tileStarts(100, 256, 32)).toEqual([0]);
  });

  it('covers every pixel of a 4000x3000 photo, with tiles never larger than the image', () => {
    const tiles = planTiles(4000, 3000, 256, 32);
    const covered = new Uint8Array(4000 * 3000);
    for (const t of tiles)
      for (let y = t.y; y < t.y + t.height; y++) covered.fill(1, y * 4000 + t.x, y * 4000 + t.x + t.width);
    expect(covered.every((v) => v === 1)).toBe(true);
    expect(planTiles(100, 60, 256, 32)).toEqual([{ x: 0, y: 0, width: 100, height: 60 }]);
  });

  it('ramps weights only on edges that have a neighbour, and never to zero', () => {
    const first = axisWeights(0, 256, 400, 32);
    const last = axisWeights(144, 256, 400, 32);
    expect(first[0]).toBe(1);
    expect(first[255]).toBeCloseTo(0.5 / 32);
    expect(last[0]).toBeCloseTo(0.5 / 32);
    expect(last[255]).toBe(1);
    expect(Math.min(...first, ...last)).toBeGreaterThan(0);
  });
});

describe('BlendCanvas', () => {
  it('reproduces the image exactly when every tile agrees with it (no seams from the weights)', () => {
    const [w, h] = [300, 200];
    const truth = Float32Array.from({ length: 3 * w * h }, (_, i) => Math.sin(i * 0.37));
    const canvas = new BlendCanvas(w, h, 3, 24);
    for (const t of planTiles(w, h, 96, 24)) {
      const data = new Float32Array(3 * t.width * t.height);
      for (let c = 0; c < 3; c++)
        for (let y = 0; y < t.height; y++)
          for (let x = 0; x < t.width; x++)
            data[c * t.width * t.height + y * t.width + x] = truth[c * w * h + (t.y + y) * w + t.x + x]!;
      canvas.add(t, data);
    }
    const out = canvas.finish();
    let max = 0;
    for (let i = 0; i < out.length; i++) max = Math.max(max, Math.abs(out[i]! - truth[i]!));
    expect(max).toBeLessThan(1e-5);
  });
});

describe('tiling defaults', () => {
  const io = (h: number | string, w: number | string): { inputs: TensorInfo[]; outputs: TensorInfo[] } => ({
    inputs: [{ name: 'input', dtype: 'float32', shape: [1, 3, h, w] }],
    outputs: [{ name: 'output', dtype: 'float32', shape: [1, 3, h, w] }],
  });
  const settings = (
    shape: [number | string, number | string],
    size: [number, number] | null,
    o: RunImagesOptions = {},
  ): { tile: number; overlap: number } => {
    const card = { task: 'image-to-image', labels: null, preprocess: size ? { size } : {} } as unknown as ModelCard;
    const { tile, overlap } = resolveRunSettings({ name: 'm', onnx: 'm.onnx', card, cardPath: null }, io(...shape), o);
    return { tile, overlap };
  };

  it("dynamic models: tiles of at least 512 and a 96 px overlap (the example UNet's receptive field)", () => {
    expect(settings(['height', 'width'], [256, 256])).toEqual({ tile: 512, overlap: 96 });
    expect(settings(['height', 'width'], null)).toEqual({ tile: 512, overlap: 96 }); // no card size: 224
    expect(settings(['height', 'width'], [768, 1024])).toEqual({ tile: 768, overlap: 96 });
    expect(settings(['height', 'width'], [128, 128], { width: 1024, height: 1024 })).toEqual({
      tile: 1024,
      overlap: 96,
    });
  });

  it('fixed-size models: the tile is the model size, the overlap at most half of it', () => {
    expect(settings([256, 256], [256, 256])).toEqual({ tile: 256, overlap: 96 });
    expect(settings([192, 192], null)).toEqual({ tile: 192, overlap: 96 });
    expect(settings([128, 128], null)).toEqual({ tile: 128, overlap: 64 });
    expect(settings([64, 64], null)).toEqual({ tile: 64, overlap: 32 });
    expect(settings([17, 17], null)).toEqual({ tile: 17, overlap: 8 });
    expect(settings([2, 2], null)).toEqual({ tile: 2, overlap: 1 });
  });

  it('flags override the defaults; the overlap default follows --tile', () => {
    expect(settings(['height', 'width'], [256, 256], { tile: 256 })).toEqual({ tile: 256, overlap: 96 });
    expect(settings(['height', 'width'], [256, 256], { tile: 256, overlap: 32 })).toEqual({ tile: 256, overlap: 32 });
    expect(settings(['height', 'width'], [256, 256], { tile: 100 })).toEqual({ tile: 100, overlap: 50 });
    expect(settings(['height', 'width'], [256, 256], { overlap: 0 })).toEqual({ tile: 512, overlap: 0 });
    expect(settings(['height', 'width'], [256, 256], { tile: 0 })).toEqual({ tile: 0, overlap: 0 });
    expect(settings([64, 64], null, { overlap: 8 })).toEqual({ tile: 64, overlap: 8 });
  });

  it('keeps the validation: overlap at most half the tile, fixed models only take their own size', () => {
    expect(() => settings(['height', 'width'], [256, 256], { overlap: 257 })).toThrow(/at most half of --tile 512/);
    expect(() => settings(['height', 'width'], [256, 256], { tile: 128, overlap: 65 })).toThrow(/at most half/);
    expect(() => settings([256, 256], [256, 256], { tile: 512 })).toThrow(/needs a model with dynamic height/);
  });

  it('other tasks do not tile', () => {
    const card = { task: 'classification', labels: null, preprocess: {} } as unknown as ModelCard;
    const classifier = { ...io(224, 224), outputs: [{ name: 'logits', dtype: 'float32', shape: ['batch', 10] }] };
    const s = resolveRunSettings({ name: 'c', onnx: 'c.onnx', card, cardPath: null }, classifier, {});
    expect({ tile: s.tile, overlap: s.overlap }).toEqual({ tile: 0, overlap: 0 });
  });

  it('a 512 tile still never exceeds the image: a 400x300 photo is one tile', () => {
    expect(planTiles(400, 300, 512, 96)).toEqual([{ x: 0, y: 0, width: 400, height: 300 }]);
    expect(planTiles(600, 400, 512, 96)).toEqual([
      { x: 0, y: 0, width: 512, height: 400 },
      { x: 88, y: 0, width: 512, height: 400 },
    ]);
  });
});
