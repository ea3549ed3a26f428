import {
  createTensor,
  decodeDetections,
  fitImage,
  restoreToSource,
  tensorToImage,
  type Placement,
  type RawImage,
} from '@oxidizedvision/runtime';
import { describeDetection, drawDetections } from './draw-detections.js';
import type { ModelSpec } from './model-spec.js';
import { maskOverlay, topK } from './postprocess.js';
import type { LoadResult } from './protocol.js';
import { page } from './page-state.js';
import { $, drawImage, ms, renderList, renderTimings, renderTopK } from './view.js';

interface RunOutput {
  image: RawImage;
  placement: Placement;
  data: Float32Array;
  shape: number[];
  outputs: Record<string, { data: Float32Array; shape: number[] }>;
}

/** The detector's outputs → detections in the image's pixels (the runtime's decoding, as run and serve). */
function showDetections(model: ModelSpec, { image, placement, outputs }: RunOutput): void {
  const tensors = Object.fromEntries(
    Object.entries(outputs).map(([name, o]) => [name, createTensor('float32', o.shape, o.data)]),
  );
  const detections = decodeDetections(tensors, {
    labels: model.labels,
    placement,
    width: image.width,
    height: image.height,
  });
  page.detections = detections;
  drawDetections($<HTMLCanvasElement>('output-canvas'), image, detections);
  renderList(
    'detections',
    detections.length > 0 ? detections.map(describeDetection) : ['No detections scored 50% or more.'],
  );
}

/**
 * Shows one result the way its task reads: an image beside the input, top-k bars, a mask overlay, or
 * the input with its detections drawn and listed.
 */
export function renderResult(
  model: ModelSpec & { load: LoadResult },
  result: RunOutput,
  timings: { loadMs: number; firstMs: number; steadyP50Ms: number | null } | null,
): void {
  const { image, placement, data, shape } = result;
  renderTopK([]);
  renderList('detections', []);
  page.detections = null;
  drawImage('output-canvas', null);
  if (model.task === 'classification') renderTopK(topK(data, model.labels));
  else if (model.task === 'detection') showDetections(model, result);
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
