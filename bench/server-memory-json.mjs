#!/usr/bin/env node
// Memory per request with large JSON bodies: `oxidizedvision serve` with a two-input test model, sent
// --count JSON infer requests of ~50 MB each (a 1×3×1024×1024 FP32 tensor written as JSON numbers, with
// only the small INT64 output asked back, so the request side is what is measured), --conc at a time.
// Samples the server's VmRSS (/proc/<pid>/status) every 20 ms: baseline (idle, models loaded), peak during
// the load, and after it at 1, 5 and 15 s with no traffic. No --expose-gc: what it shows is what a server
// in production does on its own.
// Usage: node bench/server-memory-json.mjs [--count 6] [--conc 2] [--side 1024]
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { clearInterval, setInterval } from 'node:timers';
import { parseArgs } from 'node:util';
import { httpClient, sleep, startServer } from './server-lib.mjs';

const { values } = parseArgs({
  options: {
    count: { type: 'string', default: '6' },
    conc: { type: 'string', default: '2' },
    side: { type: 'string', default: '1024' },
  },
});
const side = Number(values.side);
const server = await startServer([
  '--model',
  'two=packages/server/test/fixtures/two_inputs.onnx',
  '--instances',
  '1',
  '--max-batch-size',
  '1',
  '--body-limit',
  '128mb',
]);
const rssMiB = () => Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${server.pid}/status`, 'utf8'))[1]) / 1024;

const n = 3 * side * side;
const values32 = Float32Array.from({ length: n }, (_, i) => Math.fround(((i * 2654435761) % 1_000_003) / 1_000_003));
const body = Buffer.from(
  JSON.stringify({
    inputs: [
      { name: 'image', shape: [1, 3, side, side], datatype: 'FP32', data: Array.from(values32) },
      { name: 'ids', shape: [1, 2], datatype: 'INT64', data: [1, 2] },
    ],
    outputs: [{ name: 'ids_out' }],
  }),
);
const client = httpClient(server.url, Number(values.conc));
const headers = { 'content-type': 'application/json', 'content-length': String(body.length) };

await sleep(2000);
const baseline = rssMiB();
let peak = baseline;
const sampler = setInterval(() => (peak = Math.max(peak, rssMiB())), 20);
const started = performance.now();
let next = 0;
const worker = async () => {
  while (next < Number(values.count)) {
    next++;
    const res = await client.request('POST', '/v2/models/two/infer', headers, body);
    if (res.status !== 200) throw new Error(`HTTP ${res.status}: ${res.body.toString('utf8', 0, 300)}`);
  }
};
await Promise.all(Array.from({ length: Number(values.conc) }, worker));
const seconds = (performance.now() - started) / 1000;
const after = [];
for (const wait of [1, 5, 15]) {
  await sleep(wait * 1000 - (after.length ? [1, 5, 15][after.length - 1] * 1000 : 0));
  after.push(rssMiB());
}
clearInterval(sampler);
// Where the memory sits: V8's heap (JSON strings and arrays) or outside it (request and tensor buffers).
const metrics = (await client.request('GET', '/metrics', {})).body.toString();
const gauge = (name) => Number(new RegExp(`^${name}(?:\\{[^}]*\\})? (\\S+)`, 'm').exec(metrics)?.[1] ?? NaN) / 2 ** 20;
const heap = `heap used ${gauge('nodejs_heap_size_used_bytes').toFixed(0)} of ${gauge('nodejs_heap_size_total_bytes').toFixed(0)} MiB, external ${gauge('nodejs_external_memory_bytes').toFixed(0)} MiB`;
console.log(
  `${values.count} JSON requests of ${(body.length / 1e6).toFixed(1)} MB (1×3×${side}×${side} FP32), ` +
    `${values.conc} at a time, in ${seconds.toFixed(1)} s; server RSS MiB: baseline ${baseline.toFixed(0)}, ` +
    `peak ${peak.toFixed(0)}, after 1 s ${after[0].toFixed(0)}, 5 s ${after[1].toFixed(0)}, 15 s ${after[2].toFixed(0)} (${heap})`,
);
client.close();
await server.stop();
