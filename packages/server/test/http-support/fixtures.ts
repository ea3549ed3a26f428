import { fileURLToPath } from 'node:url';

/** A model the model layer's fixture script builds (../fixtures/make_models.py). */
export const modelFixture = (name: string): string => fileURLToPath(new URL(`../fixtures/${name}`, import.meta.url));

/** A model (and card) this layer's script builds (../fixtures/http/make_http_models.py). */
export const httpFixture = (name: string): string =>
  fileURLToPath(new URL(`../fixtures/http/${name}`, import.meta.url));

export const FIXTURES = {
  tinyConv: modelFixture('tiny_conv.onnx'),
  twoInputs: modelFixture('two_inputs.onnx'),
  fixedBatch: modelFixture('fixed_batch.onnx'),
  slow: modelFixture('slow.onnx'),
  invert: httpFixture('invert.onnx'),
  classifier: httpFixture('colour_classifier.onnx'),
  segmenter: httpFixture('red_green_segmenter.onnx'),
  dtypes: httpFixture('dtypes.onnx'),
  detector: httpFixture('colour_boxes.onnx'),
  segOutAux: httpFixture('seg_out_aux.onnx'),
};
