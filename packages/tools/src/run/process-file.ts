import { decodeDetections, imageToTensor, type Detection, type Tensor } from '@oxidizedvision/runtime';
import { decodeImage } from '@oxidizedvision/runtime/node';
import { topK } from './classify.js';
import { drawDetections } from './draw-detections.js';
import { encodeImage } from './encode.js';
import { processImageToImage } from './image-to-image.js';
import type { PlannedOutput } from './inputs.js';
import type { InferencePool } from './pool.js';
import { argmaxMask, overlayMask, restoreMask } from './segment.js';
import type { Prediction, RunSettings } from './types.js';

/**
 * Decode → infer → post-process → encode for one file. Decoding and encoding run in libvips' threads
 * and inference in the pool's workers, so several files in flight keep every stage busy at once.
 */
export async function processFile(
  input: string,
  outputs: PlannedOutput[],
  settings: RunSettings,
  pool: InferencePool,
): Promise<{ written: string[]; predictions?: Prediction[]; detections?: Detection[] }> {
  const image = await decodeImage(input, { grey: settings.preprocess.channel_order === 'GRAY' });
  const infer = async (tensor: Tensor<'float32'>): Promise<Tensor> =>
    (await pool.infer({ [settings.inputName]: tensor }))[settings.outputName]!;

  if (settings.task === 'detection') {
    const { tensor, placement } = imageToTensor(image, settings.preprocess);
    const detections = decodeDetections(await pool.infer({ [settings.inputName]: tensor }), {
      scoreThreshold: settings.scoreThreshold,
      maxDetections: settings.maxDetections ?? undefined,
      iouThreshold: settings.nmsIou,
      labels: settings.labels,
      placement,
      width: image.width,
      height: image.height,
    });
    const drawn = outputs[0];
    if (!drawn) return { written: [], detections };
    await encodeImage(await drawDetections(image, detections), drawn.path, drawn.format, settings.pngCompression);
    return { written: [drawn.path], detections };
  }

  if (settings.task === 'classification') {
    const { tensor } = imageToTensor(image, settings.preprocess);
    return { written: [], predictions: topK(await infer(tensor), settings.topK, settings.labels) };
  }
  if (settings.task === 'image-to-image') {
    const result = await processImageToImage(image, settings, infer, pool.workers * 2);
    await encodeImage(result, outputs[0]!.path, outputs[0]!.format, settings.pngCompression);
    return { written: [outputs[0]!.path] };
  }
  const { tensor, placement } = imageToTensor(image, settings.preprocess);
  const mask = restoreMask(
    argmaxMask(await infer(tensor), settings.preprocess.layout),
    placement,
    image.width,
    image.height,
  );
  const [maskOut, overlayOut] = outputs as [PlannedOutput, PlannedOutput];
  await encodeImage(mask, maskOut.path, 'png', settings.pngCompression);
  await encodeImage(overlayMask(image, mask), overlayOut.path, overlayOut.format, settings.pngCompression);
  return { written: [maskOut.path, overlayOut.path] };
}
