#!/usr/bin/env node
// Memory per request with large JSON bodies: `oxidizedvision serve` with a two-input test model, sent
// --count JSON infer requests of ~50 MB each (a 1×3×1024×1024 FP32 tensor written as JSON numbers, with
// only the small INT64 output asked back, so the request side is what is measured), --conc at a time.
// Samples the server's VmRSS (/proc/<pid>/status) every 20 ms: baseline (idle, models loaded), peak during
// the load, and after it at 1, 5 and 15 s with no traffic. No --expose-gc: what it shows is what a server
// in production does on its own. Runs twice, one after the other: with glibc's malloc defaults, and with
// MALLOC_MMAP_THRESHOLD_=131072 (what the packaged Dockerfile sets): a fixed threshold keeps every large
// buffer in its own mapping, which free() hands back to the kernel, where glibc's default (a threshold that
// rises to the largest buffer freed) puts the next 60 MB bodies on the heap, which it keeps.
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

async function measure(label, env) {
  const server = await startServer(
    [
      '--model',
      'two=packages/server/test/fixtures/two_inputs.onnx',
      '--instances',
      '1',
      '--max-batch-size',
      '1',
      '--body-limit',
      '128mb',
    ],
    { env },
  );
  const rssMiB = () => Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${server.pid}/status`, 'utf8'))[1]) / 1024;
  const client = httpClient(server.url, Number(values.conc));
  const headers = { 'content-type': 'application/json', 'content-length': String(body.length) };

  await sleep(2000);
  const loaded = rssMiB();
  // One request of the load's shape first: onnxruntime's CPU arena grows to what that shape needs and
  // keeps it (by design: the next run of that shape allocates nothing), which is the model's memory, not
  // the requests'. The baseline is taken after it, once the server has been idle long enough to collect.
  const warm = await client.request('POST', '/v2/models/two/infer', headers, body);
  if (warm.status !== 200) throw new Error(`HTTP ${warm.status}: ${warm.body.toString('utf8', 0, 300)}`);
  await sleep(5000);
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
  const waits = [1, 5, 15];
  for (const [i, wait] of waits.entries()) {
    await sleep((wait - (i > 0 ? waits[i - 1] : 0)) * 1000);
    after.push(rssMiB());
  }
  clearInterval(sampler);
  // Where the memory sits: V8's heap (JSON strings and arrays) or outside it (request and tensor buffers).
  const metrics = (await client.request('GET', '/metrics', {})).body.toString();
  const gauge = (name) =>
    Number(new RegExp(`^${name}(?:\\{[^}]*\\})? (\\S+)`, 'm').exec(metrics)?.[1] ?? NaN) / 2 ** 20;
  const heap = `heap used ${gauge('nodejs_heap_size_used_bytes').toFixed(0)} of ${gauge('nodejs_heap_size_total_bytes').toFixed(0)} MiB, external ${gauge('nodejs_external_memory_bytes').toFixed(0)} MiB`;
  console.log(
    `${label}: ${values.count} JSON requests of ${(body.length / 1e6).toFixed(1)} MB (1×3×${side}×${side} FP32), ` +
      `${values.conc} at a time, in ${seconds.toFixed(1)} s; server RSS MiB: models loaded ${loaded.toFixed(0)}, ` +
      `baseline (after one request and 5 s idle) ${baseline.toFixed(0)}, ` +
      `peak ${peak.toFixed(0)}, after 1 s ${after[0].toFixed(0)}, 5 s ${after[1].toFixed(0)}, 15 s ${after[2].toFixed(0)} (${heap})`,
  );
  client.close();
  await server.stop();
}

await measure('glibc defaults', {});
await measure('MALLOC_MMAP_THRESHOLD_=131072', { MALLOC_MMAP_THRESHOLD_: '131072' });
