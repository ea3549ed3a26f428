// Liveness prober for bench/server-bench.mjs, in its own process so the load generator's busy event loop
// does not delay it: GET /v2/health/live one at a time over one keep-alive socket, every --interval ms.
// Started with fork(); messages: 'start' opens the window, 'stop' answers {samples, p50, p99, max, ...}.
import { performance } from 'node:perf_hooks';
import { summarizeLatencies as summarize } from '@oxidizedvision/benchmark';
import { httpClient, sleep } from './server-lib.mjs';

const [url, intervalArg] = process.argv.slice(2);
const interval = Number(intervalArg ?? 10);
const client = httpClient(url, 1);
let recording = false;
let running = true;
const samples = [];
let failures = 0;

process.on('message', (msg) => {
  if (msg === 'start') {
    samples.length = 0;
    failures = 0;
    recording = true;
  } else if (msg === 'stop') {
    recording = false;
    const s = samples.length ? summarize(samples) : undefined;
    process.send({ samples: samples.length, failures, p50: s?.p50, p99: s?.p99, max: s?.max, mean: s?.mean });
  } else if (msg === 'exit') {
    running = false;
  }
});

while (running) {
  if (!recording) {
    await sleep(interval);
    continue;
  }
  const t = performance.now();
  try {
    const res = await client.request('GET', '/v2/health/live', {}, undefined);
    if (res.status !== 200) throw new Error(`HTTP ${res.status}`);
    if (recording) samples.push(performance.now() - t);
  } catch {
    if (recording) failures++;
  }
  await sleep(interval);
}
client.close();
process.disconnect();
