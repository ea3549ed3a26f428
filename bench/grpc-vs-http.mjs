// Throughput at saturation, side by side in ONE run, for one model (default: the UNet denoiser,
// 1×3×256×256 float32, batch-1 requests, closed loop at concurrency 8):
//   inproc  createModelManager in this process (worker threads, dynamic batcher) called directly
//   http    `oxidizedvision serve` in a child process, Triton binary tensors in and out, through
//           bench/raw-http-client.mjs (prebuilt request bytes, one reused read buffer per socket)
//   grpc    the same server's --grpc-port, ModelInfer with raw_input_contents / raw_output_contents,
//           through bench/raw-grpc-client.mjs (node:http2, a prebuilt framed request, answers only
//           counted after one full check with @grpc/grpc-js and the server's .proto)
// Rounds alternate the order; the server and in-process manager use the same batching and instances
// (serve's defaults unless flags say otherwise). Prints each round and the medians' ratios to in-process.
//
//   node bench/grpc-vs-http.mjs
//   node bench/grpc-vs-http.mjs --rounds 5 --seconds 8 --concurrency 8
//
// Client and server share this machine's cores: see docs/benchmarks.md for how to read the ratios.
import { Client, credentials } from '@grpc/grpc-js';
import { parseArgs } from 'node:util';
import { createModelManager, DEFAULT_BATCHING, DEFAULT_INSTANCES, inferenceService } from '@oxidizedvision/server';
import { binaryInferRequest, closedLoop, fmt, machine, median, startServer } from './server-lib.mjs';
import { rawHttpClient } from './raw-http-client.mjs';
import { frameMessage, rawGrpcClient } from './raw-grpc-client.mjs';

const { values: flags } = parseArgs({
  options: {
    onnx: { type: 'string', default: 'examples/unet-denoiser/out/unet-denoiser.onnx' },
    name: { type: 'string', default: 'unet-denoiser' },
    shape: { type: 'string', default: '1,3,256,256' },
    concurrency: { type: 'string', default: '8' },
    rounds: { type: 'string', default: '3' },
    seconds: { type: 'string', default: '6' },
    json: { type: 'boolean', default: false },
  },
});
const shape = flags.shape.split(',').map(Number);
const concurrency = Number(flags.concurrency);
const rounds = Number(flags.rounds);
const minSeconds = Number(flags.seconds);
const log = (line) => process.stderr.write(`${line}\n`);

const elements = shape.reduce((a, b) => a * b, 1);
const template = new Float32Array(elements).map((_, i) => (Math.sin(i) + 1) / 2);

const manager = createModelManager({
  models: [
    {
      name: flags.name,
      source: { kind: 'file', path: flags.onnx },
      batching: { ...DEFAULT_BATCHING, maxQueueSize: 0, timeoutMs: 0 },
      instances: DEFAULT_INSTANCES,
    },
  ],
});
await manager.start();
const meta = manager.metadata(flags.name);
const input = meta.inputs[0].name;
const output = meta.outputs[0].name;
const outputBytes = (await manager.infer(flags.name, undefined, { inputs: { [input]: tensor() } })).outputs[output].data
  .byteLength;

function tensor() {
  return { dtype: 'float32', shape, data: template.slice() };
}

const server = await startServer(
  ['--model', `${flags.name}=${flags.onnx}`, '--grpc-port', '0', '--max-queue-size', '0', '--timeout-ms', '0'],
  { log },
);
const http = rawHttpClient(server.url, concurrency);
const httpRequest = binaryInferRequest({ input, output, shape, data: template, outputBytes });

// gRPC: the request serialized once with the server's own .proto; answers counted, not decoded.
const service = inferenceService().service.ModelInfer;
const grpcBody = service.requestSerialize({
  model_name: flags.name,
  inputs: [{ name: input, datatype: 'FP32', shape }],
  outputs: [{ name: output }],
  raw_input_contents: [Buffer.from(template.buffer)],
});
// The answer checked once through grpc-js, the server's own .proto and a full decode; then measured
// with the lean client.
const checkClient = new Client(server.grpc, credentials.createInsecure(), {
  'grpc.max_receive_message_length': -1,
  'grpc.max_send_message_length': -1,
});
const first = await new Promise((resolve, reject) =>
  checkClient.makeUnaryRequest(
    service.path,
    (body) => body,
    (bytes) => service.responseDeserialize(bytes),
    grpcBody,
    (error, answer) => (error ? reject(error) : resolve(answer)),
  ),
);
checkClient.close();
if (first.raw_output_contents[0]?.length !== outputBytes) throw new Error('gRPC answer has the wrong output size');
const grpcClient = rawGrpcClient(server.grpc);
const grpcFramed = frameMessage(grpcBody);
const grpcAnswerBytes = await grpcClient.call(service.path, grpcFramed);

const senders = {
  inproc: async () => {
    const out = await manager.infer(flags.name, undefined, { inputs: { [input]: tensor() } });
    if (out.outputs[output].data.byteLength !== outputBytes) throw new Error('wrong output size');
    return 1;
  },
  http: async () => {
    const res = await http.request('POST', `/v2/models/${flags.name}/infer`, httpRequest.headers, httpRequest.body, {
      keepBody: false,
    });
    httpRequest.check(res);
    return 1;
  },
  grpc: async () => {
    const bytes = await grpcClient.call(service.path, grpcFramed);
    if (bytes !== grpcAnswerBytes) throw new Error(`gRPC answer of ${bytes} bytes`);
    return 1;
  },
};

const modes = Object.keys(senders);
const results = Object.fromEntries(modes.map((m) => [m, []]));
log(`# ${JSON.stringify(machine())}`);
log(`# ${flags.name} ${shape.join('×')} float32, concurrency ${concurrency}, ${rounds} rounds of ≥ ${minSeconds} s`);
for (let round = 0; round < rounds; round++) {
  const order = round % 2 === 0 ? modes : [...modes].reverse();
  for (const mode of order) {
    const r = await closedLoop({
      concurrency,
      warmup: 2 * concurrency,
      minCount: 4 * concurrency,
      minSeconds,
      maxSeconds: minSeconds * 4,
      send: senders[mode],
    });
    if (r.errors > 0) throw new Error(`${mode}: ${r.errors} errors, first: ${r.firstError}`);
    results[mode].push(r);
    log(
      `round ${round + 1} ${mode.padEnd(6)} ${fmt(r.imagesPerSec)} img/s  p50 ${fmt(r.p50)} ms  p99 ${fmt(r.p99)} ms`,
    );
  }
}

const summary = Object.fromEntries(
  modes.map((m) => {
    const rate = median(results[m].map((r) => r.imagesPerSec));
    return [
      m,
      {
        imagesPerSec: rate,
        p50: median(results[m].map((r) => r.p50)),
        p99: median(results[m].map((r) => r.p99)),
        ofInProcess: rate / median(results.inproc.map((r) => r.imagesPerSec)),
        rounds: results[m].map((r) => Number(r.imagesPerSec.toFixed(1))),
      },
    ];
  }),
);
if (flags.json) process.stdout.write(`${JSON.stringify({ machine: machine(), concurrency, shape, summary })}\n`);
else {
  console.log('| path | img/s (median) | rounds | p50 / p99 ms | of in-process |');
  console.log('| --- | --- | --- | --- | --- |');
  for (const [m, s] of Object.entries(summary)) {
    console.log(
      `| ${m} | ${fmt(s.imagesPerSec)} | ${s.rounds.join(', ')} | ${fmt(s.p50)} / ${fmt(s.p99)} | ${fmt(s.ofInProcess, 2)} |`,
    );
  }
}
grpcClient.close();
http.close();
await server.stop();
await manager.close();
