// The baseline of runner-overhead.mjs: onnxruntime-node's InferenceSession.run in a plain timed loop, on the
// same session the runtime's Node runner wraps (createNodeSession, so the same session options), answering the benchmark's line protocol
// (load {model, threads, shape, warmup}, then window {iters}) so both sides are driven alike.
import { createInterface } from 'node:readline';
import { createTensor } from '@oxidizedvision/runtime';
import { createNodeSession, toNodeTensor } from '@oxidizedvision/runtime/node';

let session;
let feeds;

async function load({ model, threads, shape, warmup }) {
  session = await createNodeSession(model, threads ? { intraOpThreads: threads } : {});
  const data = Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => Math.random() * 2 - 1);
  feeds = { [session.inputNames[0]]: toNodeTensor(createTensor('float32', shape, data)) };
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
