// The `run` stages as they were before the pipeline work (commit 719f867), kept as plain JavaScript so
// bench/run-stages.mjs can time them beside the current code and check that both give the same bytes.
// Not used by the packages; delete once the numbers in docs/benchmarks.md no longer need reproducing.
import { renameSync } from 'node:fs';
import sharp from 'sharp';

export async function decodeImage(path) {
  const pipeline = sharp(path, { failOn: 'error' }).rotate().removeAlpha().toColourspace('srgb');
  const { data, info } = await pipeline.raw().toBuffer({ resolveWithObject: true });
  return {
    width: info.width,
    height: info.height,
    channels: info.channels,
    data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength),
  };
}

// imageToTensor for an image already at the model size (what a 256×256 photo is): fitImage returns the
// source unchanged, then one closure call per element.
function channelReader(image, order) {
  const { data, channels } = image;
  if (order === 'GRAY') {
    if (channels === 1) return (p) => data[p];
    return (p) => 0.299 * data[p * channels] + 0.587 * data[p * channels + 1] + 0.114 * data[p * channels + 2];
  }
  const map = order === 'BGR' ? [2, 1, 0] : [0, 1, 2];
  if (channels === 1) return (p) => data[p];
  return (p, c) => data[p * channels + map[c]];
}

export function imageToTensor(image, spec) {
  const channels = spec.channel_order === 'GRAY' ? 1 : 3;
  const [height, width] = spec.size;
  const read = channelReader(image, spec.channel_order);
  const data = new Float32Array(channels * height * width);
  const plane = height * width;
  for (let c = 0; c < channels; c++) {
    const mean = spec.mean[c] ?? spec.mean[0];
    const std = spec.std[c] ?? spec.std[0];
    for (let p = 0; p < plane; p++) {
      const value = (read(p, c) * spec.scale - mean) / std;
      data[spec.layout === 'NCHW' ? c * plane + p : p * channels + c] = value;
    }
  }
  const shape = spec.layout === 'NCHW' ? [1, channels, height, width] : [1, height, width, channels];
  return { tensor: { dtype: 'float32', shape, data } };
}

/** The worker's reply: outputs copied out of onnxruntime's buffers, the copies transferred. */
export function postTensors(port, id, outputs) {
  const plain = {};
  for (const [name, t] of Object.entries(outputs))
    plain[name] = { dtype: t.dtype, shape: [...t.shape], data: t.data.slice() };
  port.postMessage(
    { id, outputs: plain },
    Object.values(plain).map((t) => t.data.buffer),
  );
}

function toFloat64Array(tensor) {
  const out = new Float64Array(tensor.data.length);
  for (let i = 0; i < tensor.data.length; i++) out[i] = tensor.data[i];
  return out;
}

export function planarFromTensor(tensor, layout) {
  const source = Float32Array.from(toFloat64Array(tensor));
  const [, a, b, c] = tensor.shape;
  if (layout === 'NCHW') return { data: source, channels: a, height: b, width: c };
  const planar = new Float32Array(source.length);
  const plane = a * b;
  for (let p = 0; p < plane; p++) for (let ch = 0; ch < c; ch++) planar[ch * plane + p] = source[p * c + ch];
  return { data: planar, channels: c, height: a, width: b };
}

export function planarToImage(planar, geometry, spec) {
  const { width, height } = geometry;
  const channels = geometry.channels >= 3 ? 3 : 1;
  const plane = width * height;
  const bgr = spec.channel_order === 'BGR' && channels === 3;
  const data = new Uint8Array(plane * channels);
  for (let c = 0; c < channels; c++) {
    const source = bgr ? 2 - c : c;
    const mean = spec.mean[source] ?? spec.mean[0];
    const std = spec.std[source] ?? spec.std[0];
    for (let p = 0; p < plane; p++) {
      const v = (planar[source * plane + p] * std + mean) / spec.scale;
      data[p * channels + c] = v <= 0 ? 0 : v >= 255 ? 255 : Math.round(v);
    }
  }
  return { width, height, channels, data };
}

export async function encodeImage(image, path, format) {
  const temp = `${path}.tmp-${process.pid}-${Math.random().toString(36).slice(2)}`;
  const raw = { width: image.width, height: image.height, channels: image.channels };
  const pipeline = image.channels === 1 ? sharp(image.data, { raw }).toColourspace('b-w') : sharp(image.data, { raw });
  await (format === 'jpeg' ? pipeline.jpeg({ quality: 95 }) : pipeline.png()).toFile(temp);
  renameSync(temp, path);
}
