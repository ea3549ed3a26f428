import { join } from 'node:path';
import { OxvError, imageToTensor } from '@oxidizedvision/runtime';
import type { ResolvedPreprocess } from '../config/types.js';
import { decodeImage } from '@oxidizedvision/runtime/node';
import { listImages } from '../images/decode.js';
import { writeRawTensor } from '../internal/raw-tensor.js';
import type { TestInputs } from './inputs.js';

/**
 * Appends one test per image in `dir`, preprocessed exactly as the model card says, so validation also
 * covers real pixel statistics (random normal inputs never saturate a ReLU the way photos do).
 */
export async function addImageInputs(
  tests: TestInputs,
  specs: { name: string; shape: number[]; dtype: string }[],
  dir: string,
  preprocess: ResolvedPreprocess,
): Promise<number> {
  const input = specs[0];
  if (specs.length !== 1 || !input || input.dtype !== 'float32' || input.shape.length !== 4) {
    throw new OxvError('ERR_USAGE', 'validation.images needs a model with a single 4-D float32 image input');
  }
  const size =
    preprocess.size ??
    (preprocess.layout === 'NCHW' ? [input.shape[2]!, input.shape[3]!] : [input.shape[1]!, input.shape[2]!]);
  const files = listImages(dir);
  for (const file of files) {
    const image = await decodeImage(file, { grey: preprocess.channel_order === 'GRAY' });
    const { tensor } = imageToTensor(image, { ...preprocess, size: [size[0]!, size[1]!] });
    const path = join(tests.dir, `image_${tests.feeds.length}.bin`);
    writeRawTensor(path, tensor);
    tests.feeds.push({ [input.name]: tensor });
    tests.files.push({ [input.name]: path });
    tests.kinds.push('images');
  }
  return files.length;
}
