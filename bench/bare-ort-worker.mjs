// The baseline of runner-overhead.mjs: onnxruntime-node's InferenceSession.run in a plain timed loop, with
// the session options the runtime's Node runner uses, answering the benchmark's line protocol
// (load {model, threads, shape, warmup}, then window {iters}) so both sides are driven alike.
import { createInterface } from 'node:readline';
import * as ort from 'onnxruntime-node';

let session;
let feeds;

async function load({ model, threads, shape, warmup }) {
  const options = { executionProviders: ['cpu'], logSeverityLevel: 3 };
  if (threads) options.intraOpNumThreads = threads;
  session = await ort.InferenceSession.create(model, options);
  const data = Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => Math.random() * 2 - 1);
  feeds = { [session.inputNames[0]]: new ort.Tensor('float32', data, shape) };
  for (let i = 0; i <= warmup; i++) await session.run(feeds);
  return {};
}

async function window({ iters }) {
  const latencies_ns = [];
  for (let i = 0; i < iters; i++) {
    const start = process.hrtime.bigint();
    await session.run(feeds);
    latencies_ns.push(Number(process.hrtime.bigint() - start));
  }
  return { latencies_ns };
}

const handlers = { load, window };
let chain = Promise.resolve();
createInterface({ input: process.stdin })
  .on('line', (line) => {
    chain = chain.then(async () => {
      const request = JSON.parse(line);
      const result = await handlers[request.cmd](request);
      process.stdout.write(`${JSON.stringify({ ok: true, result })}\n`);
    });
  })
  .on('close', () => void chain.then(() => process.exit(0)));
