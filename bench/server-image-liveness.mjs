#!/usr/bin/env node
// Is the server still alive while its image endpoint is saturated? `oxidizedvision serve` runs the example
// denoiser; --clients closed-loop clients POST a photo (default: the 400×300 coffee sample) to
// /v2/models/unet-denoiser/infer/image for --seconds, while a prober in its own process (server-health-
// probe.mjs) GETs /v2/health/live every 10 ms. Prints images/s and the probe's p50/p99/max.
// The image endpoint does several ms of synchronous work per upload (resize, normalise, denormalise,
// resize back, PNG encode); without turns (packages/server/src/image/turns.ts) a finished batch ran all of
// it at once and the probe waited for the whole batch.
// Usage: node bench/server-image-liveness.mjs [--clients 16] [--seconds 20] [--image FILE] [--json]
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
    image: {
      type: 'string',
      default: fileURLToPath(new URL('../examples/unet-denoiser/samples/coffee-noisy.png', import.meta.url)),
    },
    json: { type: 'boolean', default: false },
  },
});
const log = (line) => process.stderr.write(`${line}\n`);
const ONNX = fileURLToPath(new URL('../examples/unet-denoiser/out/unet-denoiser.onnx', import.meta.url));
const body = readFileSync(values.image);
const clients = Number(values.clients);
const seconds = Number(values.seconds);

const server = await startServer(['--model', ONNX], { log });
const prober = fork(fileURLToPath(new URL('./server-health-probe.mjs', import.meta.url)), [server.url, '10']);
const client = httpClient(server.url, clients);
const path = '/v2/models/unet-denoiser/infer/image';
let images = 0;
let failed = 0;
try {
  // Warm up (first inferences, JIT) before the window opens.
  await Promise.all(Array.from({ length: clients }, () => client.request('POST', path, {}, body, { keepBody: false })));
  prober.send('start');
  const end = Date.now() + seconds * 1000;
  await Promise.all(
    Array.from({ length: clients }, async () => {
      while (Date.now() < end) {
        const res = await client.request('POST', path, { 'content-type': 'image/png' }, body, { keepBody: false });
        if (res.status === 200) images++;
        else failed++;
      }
    }),
  );
  const probe = await new Promise((resolve) => {
    prober.once('message', resolve);
    prober.send('stop');
  });
  const result = { clients, seconds, images_per_second: images / seconds, failed, live: probe };
  if (values.json) process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
  else
    log(
      `${clients} clients, ${seconds} s: ${fmt(result.images_per_second)} images/s, ${failed} failed; ` +
        `/v2/health/live p50 ${fmt(probe.p50)} p99 ${fmt(probe.p99)} max ${fmt(probe.max)} ms ` +
        `(${probe.samples} probes, ${probe.failures} failed)`,
    );
} finally {
  prober.send('exit');
  client.close();
  await sleep(50);
  await server.stop();
}
