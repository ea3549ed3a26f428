#!/usr/bin/env node
// Is the server still alive while an endpoint with heavy per-request main-thread work is saturated?
// `oxidizedvision serve` runs the example denoiser; --clients closed-loop clients POST, for --seconds,
//   --endpoint image: a photo (default: the 400×300 coffee sample) to /v2/models/unet-denoiser/infer/image;
//   --endpoint json:  a 1×3×--size×--size FP32 tensor as Open Inference Protocol JSON to .../infer;
// while a prober in its own process (server-health-probe.mjs) GETs /v2/health/live every 10 ms. Prints
// requests/s and the probe's p50/p99/max. Both endpoints do milliseconds of synchronous work per request
// (image: resize, normalise, denormalise, resize back, PNG; JSON: parsing and printing the numbers); without
// turns (packages/server/src/turns.ts) a finished batch ran all of it at once and the probe waited.
// Usage: node bench/server-liveness.mjs [--endpoint image|json] [--clients 16] [--seconds 20]
//        [--image FILE] [--size 256] [--json]
// Needs `npx oxidizedvision convert examples/unet-denoiser/config.yml` and `npm run build` first.
import { fork } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { fmt, httpClient, sleep, startServer } from './server-lib.mjs';

const { values } = parseArgs({
  options: {
    clients: { type: 'string', default: '16' },
    seconds: { type: 'string', default: '20' },
    endpoint: { type: 'string', default: 'image' },
    size: { type: 'string', default: '256' },
    image: {
      type: 'string',
      default: fileURLToPath(new URL('../examples/unet-denoiser/samples/coffee-noisy.png', import.meta.url)),
    },
    json: { type: 'boolean', default: false },
  },
});
const log = (line) => process.stderr.write(`${line}\n`);
const ONNX = fileURLToPath(new URL('../examples/unet-denoiser/out/unet-denoiser.onnx', import.meta.url));
if (!['image', 'json'].includes(values.endpoint)) throw new Error(`--endpoint image|json, got ${values.endpoint}`);
const size = Number(values.size);
const request =
  values.endpoint === 'image'
    ? { path: '/v2/models/unet-denoiser/infer/image', type: 'image/png', body: readFileSync(values.image) }
    : {
        path: '/v2/models/unet-denoiser/infer',
        type: 'application/json',
        body: JSON.stringify({
          inputs: [
            {
              name: 'input',
              shape: [1, 3, size, size],
              datatype: 'FP32',
              data: Array.from({ length: 3 * size * size }, (_, i) => (i % 255) / 255),
            },
          ],
        }),
      };
const clients = Number(values.clients);
const seconds = Number(values.seconds);

const server = await startServer(['--model', ONNX], { log });
const prober = fork(fileURLToPath(new URL('./server-health-probe.mjs', import.meta.url)), [server.url, '10']);
const client = httpClient(server.url, clients);
const send = () =>
  client.request('POST', request.path, { 'content-type': request.type }, request.body, { keepBody: false });
let answered = 0;
let failed = 0;
try {
  // Warm up (first inferences, JIT) before the window opens.
  await Promise.all(Array.from({ length: clients }, send));
  prober.send('start');
  const end = Date.now() + seconds * 1000;
  await Promise.all(
    Array.from({ length: clients }, async () => {
      while (Date.now() < end) {
        const res = await send();
        if (res.status === 200) answered++;
        else failed++;
      }
    }),
  );
  const probe = await new Promise((resolve) => {
    prober.once('message', resolve);
    prober.send('stop');
  });
  const endpoint = values.endpoint === 'image' ? 'image' : `json ${size}x${size}`;
  const result = { endpoint, clients, seconds, requests_per_second: answered / seconds, failed, live: probe };
  if (values.json) process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
  else
    log(
      `${endpoint}, ${clients} clients, ${seconds} s: ${fmt(result.requests_per_second)} requests/s, ${failed} failed; ` +
        `/v2/health/live p50 ${fmt(probe.p50)} p99 ${fmt(probe.p99)} max ${fmt(probe.max)} ms ` +
        `(${probe.samples} probes, ${probe.failures} failed)`,
    );
} finally {
  prober.send('exit');
  client.close();
  await sleep(50);
  await server.stop();
}
