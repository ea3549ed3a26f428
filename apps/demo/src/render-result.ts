import {
  createTensor,
  fitImage,
  restoreToSource,
  tensorToImage,
  type Placement,
  type RawImage,
} from '@oxidizedvision/runtime';
import type { ModelSpec } from './model-spec.js';
import { maskOverlay, topK } from './postprocess.js';
import type { LoadResult } from './protocol.js';
import { drawImage, ms, renderTimings, renderTopK } from './view.js';

interface RunOutput {
  image: RawImage;
  placement: Placement;
  data: Float32Array;
  shape: number[];
}

/** Shows one result the way its task reads: an image beside the input, top-k bars, or a mask overlay. */
export function renderResult(
  model: ModelSpec & { load: LoadResult },
  { image, placement, data, shape }: RunOutput,
  timings: { loadMs: number; firstMs: number; steadyP50Ms: number | null } | null,
): void {
  renderTopK([]);
  drawImage('output-canvas', null);
  if (model.task === 'classification') renderTopK(topK(data, model.labels));
  else if (model.task === 'segmentation') {
    drawImage('output-canvas', maskOverlay(data, shape, model.preprocess, fitImage(image, model.preprocess).image));
  } else {
    const output = tensorToImage(createTensor('float32', shape, data), model.preprocess);
    drawImage('output-canvas', restoreToSource(output, placement, model.preprocess.size, image.width, image.height));
  }
  const { choice } = model.load;
  const threads = choice.provider === 'wasm' ? ` (${choice.threads} thread${choice.threads > 1 ? 's' : ''})` : '';
  renderTimings([
    ['Backend', `${choice.provider}${threads}: ${choice.reason}`],
    ['Model load', ms(timings?.loadMs)],
    ['First run', ms(timings?.firstMs)],
    ['Steady p50', ms(timings?.steadyP50Ms)],
  ]);
}
