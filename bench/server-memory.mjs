#!/usr/bin/env node
// Server memory under sustained load: `oxidizedvision serve` with the example UNet (2 instances × 1 thread),
// driven at concurrency --conc with binary requests for --seconds, batching off (max batch 1) or on
// (max batch 8, 2 ms); prints the server's resident memory (VmRSS) every 5 s, its peak (VmHWM), and how
// many full collections (mark-compacts) each V8 heap ran during the load (the server runs with
// --trace-gc; the main thread's heap is the one with the most). Unreferenced request and output buffers
// are freed only by garbage collection, so this is where a change in how they are allocated shows, as
// memory or as collections (docs/benchmarks.md).
// Usage: node bench/server-memory.mjs [--batching off|on] [--seconds 60] [--conc 64]
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { setInterval, clearInterval } from 'node:timers';
import { parseArgs } from 'node:util';
import { rawHttpClient } from './raw-http-client.mjs';
import { binaryInferRequest, CLI, closedLoop } from './server-lib.mjs';

const { values } = parseArgs({
  options: {
    batching: { type: 'string', default: 'off' },
    seconds: { type: 'string', default: '60' },
    conc: { type: 'string', default: '64' },
  },
});
const on = values.batching === 'on';
const child = spawn(
  process.execPath,
  [
    '--trace-gc',
    CLI,
    'serve',
    '--host',
    '127.0.0.1',
    '--port',
    '0',
    '--model',
    'unet-denoiser=examples/unet-denoiser/out/unet-denoiser.onnx',
    '--max-batch-size',
    on ? '8' : '1',
    '--max-wait-ms',
    '2',
    '--max-queue-size',
    '0',
    '--timeout-ms',
    '0',
    '--instances',
    '2',
    '--threads',
    '1',
  ],
  { stdio: ['ignore', 'pipe', 'pipe'] },
);
let stdout = '';
let stderr = '';
child.stdout.on('data', (chunk) => (stdout += chunk));
const url = await new Promise((resolve, reject) => {
  child.stderr.on('data', (chunk) => {
    stderr += chunk;
    const m = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(stderr);
    if (m) resolve(m[1]);
  });
  child.on('exit', (code) => reject(new Error(`server exited (${code}):\n${stderr}`)));
});
const server = { pid: child.pid, url };
const concurrency = Number(values.conc);
const client = rawHttpClient(server.url, concurrency);
const data = new Float32Array(3 * 256 * 256).map((_, i) => ((i * 2654435761) % 1000) / 1000);
const request = binaryInferRequest({
  input: 'input',
  output: 'output',
  shape: [1, 3, 256, 256],
  data,
  outputBytes: data.byteLength,
});
const statusMiB = (field) =>
  Number(new RegExp(`${field}:\\s+(\\d+) kB`).exec(readFileSync(`/proc/${server.pid}/status`, 'utf8'))[1]) / 1024;
const samples = [];
const timer = setInterval(() => samples.push(statusMiB('VmRSS').toFixed(0)), 5000);
let traceFrom = 0;
let traceTo = 0;
const result = await closedLoop({
  concurrency,
  warmup: concurrency,
  minCount: 100,
  minSeconds: Number(values.seconds),
  hooks: { onStart: () => (traceFrom = stdout.length), onStop: () => (traceTo = stdout.length) },
  send: async () => {
    const answer = await client.request('POST', '/v2/models/unet-denoiser/infer', request.headers, request.body, {
      keepBody: false,
    });
    request.check(answer);
    return 1;
  },
});
clearInterval(timer);
const fullCollections = {};
for (const line of stdout.slice(traceFrom, traceTo).split('\n')) {
  const heap = /^\[\d+:(0x[0-9a-f]+)\].*Mark-Compact/.exec(line)?.[1];
  if (heap) fullCollections[heap] = (fullCollections[heap] ?? 0) + 1;
}
const counts = Object.values(fullCollections).sort((a, b) => b - a);
console.log(
  `batching ${values.batching}, c=${concurrency}: ${result.requests} requests at ${result.inferPerSec.toFixed(1)} req/s, ` +
    `${result.errors} errors; server RSS MiB every 5 s: ${samples.join(' ')}; peak ${statusMiB('VmHWM').toFixed(0)} MiB; ` +
    `full collections per heap during the load: ${counts.join(', ') || 'none'}`,
);
client.close();
child.kill('SIGTERM');
