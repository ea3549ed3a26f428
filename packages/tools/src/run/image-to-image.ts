import {
  OxvError,
  imageToTensor,
  planarFromTensor,
  planarToImage,
  restoreToSource,
  type RawImage,
  type Tensor,
} from '@oxidizedvision/runtime';
import { mapLimit } from './map-limit.js';
import { cropImage, padEdge } from './pixels.js';
import { BlendCanvas, planTiles } from './tiling.js';
import type { RunSettings } from './types.js';

export type Infer = (input: Tensor<'float32'>) => Promise<Tensor>;

/**
 * Runs an image-to-image model on a whole image and returns the output at the image's own size.
 * Tiled (the default): the image is cut into overlapping tiles of the model's size, never resized, so a
 * denoiser sees the noise at its true scale; tiles are blended with feathered weights. With tile 0 the
 * model sees the whole image: at its own size when the model's H/W are dynamic (and no size was asked
 * for), otherwise resized to the model size and the output resized back (what the original CLI forgot).
 */
export async function processImageToImage(
  image: RawImage,
  settings: RunSettings,
  infer: Infer,
  concurrency: number,
): Promise<RawImage> {
  const spec = settings.preprocess;
  if (settings.tile === 0) {
    const whole = settings.dynamicSize && !settings.explicitSize;
    const size: [number, number] = whole ? [image.height, image.width] : [spec.size[0], spec.size[1]];
    const { tensor, placement } = imageToTensor(image, { ...spec, size });
    const out = planarFromTensor(await infer(tensor), spec.layout);
    // The output may differ from the input size (an upscaler): restoreToSource maps the placement onto it.
    return restoreToSource(planarToImage(out.data, out, spec), placement, size, image.width, image.height);
  }
  const tiles = planTiles(image.width, image.height, settings.tile, settings.overlap);
  // A fixed-size model fed an image smaller than its input gets it edge-padded, then cropped back.
  const modelH = settings.dynamicSize ? 0 : spec.size[0];
  const modelW = settings.dynamicSize ? 0 : spec.size[1];
  if (tiles.length === 1) {
    // One tile covers the image: nothing to blend.
    const crop = padEdge(image, Math.max(modelW, image.width), Math.max(modelH, image.height));
    const { tensor } = imageToTensor(crop, { ...spec, size: [crop.height, crop.width], resize: 'stretch' });
    const out = planarFromTensor(await infer(tensor), spec.layout);
    assertSameSize(out, crop.width, crop.height);
    const data = trimPlanar(out.data, out.channels, crop.width, crop.height, image.width, image.height);
    return planarToImage(data, { channels: out.channels, width: image.width, height: image.height }, spec);
  }
  let canvas: BlendCanvas | undefined;
  await mapLimit(tiles, concurrency, async (tile) => {
    const crop = padEdge(cropImage(image, tile), Math.max(modelW, tile.width), Math.max(modelH, tile.height));
    const { tensor } = imageToTensor(crop, { ...spec, size: [crop.height, crop.width], resize: 'stretch' });
    const out = planarFromTensor(await infer(tensor), spec.layout);
    assertSameSize(out, crop.width, crop.height);
    canvas ??= new BlendCanvas(image.width, image.height, out.channels, settings.overlap);
    canvas.add(tile, trimPlanar(out.data, out.channels, crop.width, crop.height, tile.width, tile.height));
  });
  return planarToImage(canvas!.finish(), canvas!, spec);
}

function assertSameSize(out: { width: number; height: number }, width: number, height: number): void {
  if (out.height !== height || out.width !== width) {
    throw new OxvError(
      'ERR_INFERENCE',
      `the model turned a ${width}x${height} tile into ${out.width}x${out.height}; tiling needs same-size outputs`,
      { hint: 'use --tile 0 for models that change the image size' },
    );
  }
}

/** Drops the right/bottom padding padEdge added. */
function trimPlanar(data: Float32Array, channels: number, w: number, h: number, tw: number, th: number): Float32Array {
  if (w === tw && h === th) return data;
  const out = new Float32Array(channels * tw * th);
  for (let c = 0; c < channels; c++)
    for (let y = 0; y < th; y++)
      out.set(data.subarray(c * w * h + y * w, c * w * h + y * w + tw), c * tw * th + y * tw);
  return out;
}
