import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import sharp from 'sharp';
import { compareTensors, createTensor, imageToTensor, parseModelCard, type Tensor } from '@oxidizedvision/runtime';
import { createNodeRunner } from '@oxidizedvision/runtime/node';
import { EXAMPLE_OUT } from './build.js';

/** What Node computes for one image, the way the CLI does it: sharp decode → imageToTensor → onnxruntime-node. */
export async function nodeReference(imagePath: string): Promise<{ input: Tensor<'float32'>; output: Tensor }> {
  const card = parseModelCard(await readFile(join(EXAMPLE_OUT, 'unet-denoiser.card.json'), 'utf8'), 'card');
  const { data, info } = await sharp(imagePath).raw().toBuffer({ resolveWithObject: true });
  const raw = { width: info.width, height: info.height, channels: info.channels as 3, data };
  const { tensor: input } = imageToTensor(raw, { ...card.preprocess, size: card.preprocess.size! });
  const runner = await createNodeRunner(join(EXAMPLE_OUT, 'unet-denoiser.onnx'));
  try {
    const outputs = await runner.run({ [runner.info().inputs[0]!.name]: input });
    return { input, output: Object.values(outputs)[0]! };
  } finally {
    await runner.dispose();
  }
}

/** PSNR in dB of `target` against `reference`, for values whose full range is `peak` (1 for 0–1 pixels). */
export function psnr(reference: Tensor, target: { shape: number[]; data: number[] }, peak = 1): number {
  const { rmse } = compareTensors(reference, createTensor('float32', target.shape, Float32Array.from(target.data)));
  return 20 * Math.log10(peak / rmse);
}
