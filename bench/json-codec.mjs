#!/usr/bin/env node
// What JSON tensors cost per element, side by side in one run: the server's codec (protocol/json/)
// against JSON.parse / JSON.stringify doing the same job (the path `serve` used before), and against the
// binary extension, whose cost per element is a copy. Best of --reps for each, on one 1×3×S×S FP32
// tensor (what a client sends: float32 values printed as doubles, 17 significant digits, as Python's
// json.dumps and JSON.stringify write them).
//   node bench/json-codec.mjs [--size 256] [--reps 15] [--json]
// Needs `npm run build`.
import { parseArgs } from 'node:util';
import { performance } from 'node:perf_hooks';
import { createTensor } from '@oxidizedvision/runtime';
// Private stages of the server, timed on their own (bench/ may import a package's dist).
import { decodeInferRequest } from '../packages/server/dist/protocol/infer-request.js';
import { encodeInferResponse } from '../packages/server/dist/protocol/infer-response.js';

const { values } = parseArgs({
  options: {
    size: { type: 'string', default: '256' },
    reps: { type: 'string', default: '15' },
    json: { type: 'boolean', default: false },
  },
});
const size = Number(values.size);
const reps = Number(values.reps);
const shape = [1, 3, size, size];
const count = 3 * size * size;
const pixels = new Float32Array(count).map((_, i) => (((i * 7919) % 255) / 255) * (1 + (i % 7) / 13));
const meta = {
  name: 'm',
  versions: ['1'],
  platform: 'onnxruntime_onnx',
  inputs: [{ name: 'input', dtype: 'float32', shape }],
  outputs: [{ name: 'output', dtype: 'float32', shape }],
};
const jsonBody = Buffer.from(
  JSON.stringify({ inputs: [{ name: 'input', shape, datatype: 'FP32', data: Array.from(pixels) }] }),
);
const header = Buffer.from(
  JSON.stringify({ inputs: [{ name: 'input', shape, datatype: 'FP32', parameters: { binary_data_size: count * 4 } }] }),
);
const binaryBody = Buffer.concat([header, Buffer.from(pixels.buffer)]);
const result = { modelName: 'm', modelVersion: '1', outputs: { output: createTensor('float32', shape, pixels) } };

const best = (fn) => {
  let min = Infinity;
  for (let i = 0; i < reps; i++) {
    const t0 = performance.now();
    fn();
    min = Math.min(min, performance.now() - t0);
  }
  return min;
};
const rows = {
  'parse: serve (typed arrays)': best(() => decodeInferRequest(jsonBody, undefined, meta)),
  'parse: JSON.parse + flat + Float32Array': best(() => {
    const doc = JSON.parse(jsonBody.toString('utf8'));
    Float32Array.from(doc.inputs[0].data.flat(Infinity));
  }),
  'parse: binary extension': best(() => decodeInferRequest(binaryBody, String(header.length), meta)),
  'print: serve (shortest float32)': best(() =>
    encodeInferResponse(result, undefined, [{ name: 'output', binary: false }]),
  ),
  'print: Array.from + JSON.stringify': best(() =>
    Buffer.from(JSON.stringify({ model_name: 'm', outputs: [{ name: 'output', data: Array.from(pixels) }] })),
  ),
  'print: binary extension': best(() => encodeInferResponse(result, undefined, [{ name: 'output', binary: true }])),
};
const ours = encodeInferResponse(result, undefined, [{ name: 'output', binary: false }]).json;
const theirs = JSON.stringify({ outputs: [{ data: Array.from(pixels) }] });
const summary = {
  elements: count,
  request_bytes: { json: jsonBody.length, binary: binaryBody.length },
  response_bytes: { serve_json: ours.length, json_stringify: theirs.length, binary: count * 4 },
  best_ms: rows,
  ns_per_element: Object.fromEntries(Object.entries(rows).map(([k, ms]) => [k, (ms * 1e6) / count])),
  ratios: {
    parse_json_parse_over_serve: rows['parse: JSON.parse + flat + Float32Array'] / rows['parse: serve (typed arrays)'],
    print_stringify_over_serve: rows['print: Array.from + JSON.stringify'] / rows['print: serve (shortest float32)'],
  },
};
if (values.json) process.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
else {
  console.log(
    `${count} float32 elements; request JSON ${(jsonBody.length / 1e6).toFixed(2)} MB, binary ${(binaryBody.length / 1e6).toFixed(2)} MB; response JSON ${(ours.length / 1e6).toFixed(2)} MB (JSON.stringify: ${(theirs.length / 1e6).toFixed(2)} MB)`,
  );
  console.log('| step | best ms | ns / element |');
  console.log('|---|---|---|');
  for (const [k, ms] of Object.entries(rows))
    console.log(`| ${k} | ${ms.toFixed(2)} | ${((ms * 1e6) / count).toFixed(1)} |`);
  console.log(
    `ratios: parse ${summary.ratios.parse_json_parse_over_serve.toFixed(2)}× faster than JSON.parse, print ${summary.ratios.print_stringify_over_serve.toFixed(2)}× faster than JSON.stringify`,
  );
}
