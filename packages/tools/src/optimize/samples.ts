import { OxvError, imageToTensor, type ModelCard } from '@oxidizedvision/runtime';
import type { TensorSummary } from '@oxidizedvision/onnx';
import { decodeImage } from '@oxidizedvision/runtime/node';
import { listImages } from '../images/decode.js';
import { randomFeeds, type Feeds } from '../profile/inputs.js';

/** `count` seeded random feeds (standard normal), one seed per sample so runs are reproducible. */
export function randomSamples(
  inputs: TensorSummary[],
  dims: Record<string, number>,
  count: number,
  seed: number,
): Feeds[] {
  return Array.from({ length: count }, (_, i) => randomFeeds(inputs, dims, seed + 1000 * i));
}

/**
 * Calibration images through the model card's preprocessing (the distribution the model will really
 * see). Unreadable files are skipped with a warning naming them; a folder with none readable is an error.
 */
export async function imageSamples(
  dir: string,
  card: ModelCard | null,
  inputs: TensorSummary[],
  limit: number,
  warn: (message: string) => void,
): Promise<Feeds[]> {
  const input = inputs[0];
  if (!card) {
    throw new OxvError('ERR_MODEL_CARD', '--calibrate needs the model card (its preprocessing) beside the .onnx file', {
      hint: 'name the config instead of the .onnx, or omit --calibrate to use seeded random inputs',
    });
  }
  if (inputs.length !== 1 || !input || input.dtype !== 'float32' || input.shape?.length !== 4) {
    throw new OxvError('ERR_USAGE', '--calibrate needs a model with a single 4-D float32 image input');
  }
  const p = card.preprocess;
  const example = card.example_inputs[0]?.shape ?? [];
  const size = p.size ?? (p.layout === 'NCHW' ? [example[2]!, example[3]!] : [example[1]!, example[2]!]);
  const samples: Feeds[] = [];
  const bad: string[] = [];
  for (const file of listImages(dir).slice(0, limit)) {
    try {
      const image = await decodeImage(file, { grey: p.channel_order === 'GRAY' });
      samples.push({ [input.name]: imageToTensor(image, { ...p, size: [size[0]!, size[1]!] }).tensor });
    } catch (error) {
      bad.push(file);
      warn(`skipping unreadable calibration image ${file}: ${(error as Error).message}`);
    }
  }
  if (samples.length === 0) {
    throw new OxvError('ERR_IMAGE_DECODE', `none of the images in ${dir} could be decoded (${bad.length} tried)`);
  }
  return samples;
}
