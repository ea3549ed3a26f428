/**
 * Tile planning and feathered blending for image-to-image models run on images larger than their input.
 * Neighbouring tiles overlap; inside the overlap each tile's weight ramps linearly from ~0 at its inner
 * edge to 1, so the blend is continuous and a tile's edge (where its zero padding corrupts the output)
 * contributes almost nothing. Edges on the image border keep weight 1: there is no neighbour to hand over to.
 */

export interface Tile {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** Start offsets along one axis: step tile - overlap, the last tile flush with the far edge. */
export function tileStarts(length: number, tile: number, overlap: number): number[] {
  if (length <= tile) return [0];
  const step = tile - overlap;
  const starts: number[] = [];
  for (let p = 0; p + tile < length; p += step) starts.push(p);
  starts.push(length - tile);
  return starts;
}

/** Tiles covering a width×height image; tiles are never larger than the image. */
export function planTiles(width: number, height: number, tile: number, overlap: number): Tile[] {
  const tw = Math.min(tile, width);
  const th = Math.min(tile, height);
  const tiles: Tile[] = [];
  for (const y of tileStarts(height, th, overlap))
    for (const x of tileStarts(width, tw, overlap)) tiles.push({ x, y, width: tw, height: th });
  return tiles;
}

/** Per-position weights along one axis of a tile starting at `start` of `size` in an axis of `length`. */
export function axisWeights(start: number, size: number, length: number, overlap: number): Float32Array {
  const w = new Float32Array(size);
  const rampLeft = start > 0 && overlap > 0;
  const rampRight = start + size < length && overlap > 0;
  for (let i = 0; i < size; i++) {
    const left = rampLeft ? Math.min(1, (i + 0.5) / overlap) : 1;
    const right = rampRight ? Math.min(1, (size - i - 0.5) / overlap) : 1;
    w[i] = Math.min(left, right);
  }
  return w;
}

/** Accumulates weighted planar (CHW) tile outputs into a whole-image canvas, then normalises. */
export class BlendCanvas {
  readonly values: Float32Array;
  private readonly weights: Float32Array;

  constructor(
    readonly width: number,
    readonly height: number,
    readonly channels: number,
    private readonly overlap: number,
  ) {
    this.values = new Float32Array(width * height * channels);
    this.weights = new Float32Array(width * height);
  }

  /** `data` is [channels, tile.height, tile.width], row-major. */
  add(tile: Tile, data: Float32Array): void {
    const wx = axisWeights(tile.x, tile.width, this.width, this.overlap);
    const wy = axisWeights(tile.y, tile.height, this.height, this.overlap);
    const plane = tile.width * tile.height;
    const imagePlane = this.width * this.height;
    for (let y = 0; y < tile.height; y++) {
      for (let x = 0; x < tile.width; x++) {
        const w = wy[y]! * wx[x]!;
        const target = (tile.y + y) * this.width + tile.x + x;
        this.weights[target]! += w;
        for (let c = 0; c < this.channels; c++)
          this.values[c * imagePlane + target]! += w * data[c * plane + y * tile.width + x]!;
      }
    }
  }

  /** Planar [channels, height, width] blended values. */
  finish(): Float32Array {
    const imagePlane = this.width * this.height;
    for (let p = 0; p < imagePlane; p++) {
      const w = this.weights[p]!;
      for (let c = 0; c < this.channels; c++) this.values[c * imagePlane + p]! /= w;
    }
    return this.values;
  }
}
