import { describe, expect, it } from 'vitest';
import { axisWeights, BlendCanvas, planTiles, tileStarts } from '@oxidizedvision/tools';

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
