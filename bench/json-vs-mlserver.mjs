#!/usr/bin/env node
// JSON tensors against MLServer, side by side in ONE run, on the same ONNX model and the same client:
//   in-process  createNodeRunner on this thread, batch 1, back to back (the ceiling)
//   ours json   `oxidizedvision serve`, Open Inference Protocol JSON both ways ("data": [...])
//   ours binary the same server, Triton's binary tensor extension both ways
//   mlserver    MLServer (Python) with bench/mlserver/onnx_model.py: onnxruntime on the same file,
//               adaptive batching (max batch 4, 5 ms), OIP JSON both ways
// Closed loop, --concurrency clients (default 8) over keep-alive node:http, for --seconds each, --rounds
// times in alternating order; during ours-json a prober in its own process GETs /v2/health/live every
// 10 ms. Prints img/s, p50/p99 and the ratios: ours json / mlserver, binary / in-process.
//
//   python3 -m venv /opt/mlserver-venv && /opt/mlserver-venv/bin/pip install mlserver==1.7.1 onnxruntime
//   node bench/json-vs-mlserver.mjs --mlserver /opt/mlserver-venv/bin/mlserver
//   node bench/json-vs-mlserver.mjs --server-args "--json-threads 0"   (JSON on the event loop)
//
// Needs `npm run build` and the example model (scripts/setup.sh converts it). See docs/benchmarks.md.
import { fork, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import { createTensor } from '@oxidizedvision/runtime';
import { createNodeRunner } from '@oxidizedvision/runtime/node';
import { binaryInferRequest, closedLoop, fmt, httpClient, machine, median, sleep, startServer } from './server-lib.mjs';

const { values } = parseArgs({
  options: {
    mlserver: { type: 'string', default: process.env.OXV_MLSERVER ?? '/opt/mlserver-venv/bin/mlserver' },
    onnx: { type: 'string', default: 'examples/unet-denoiser/out/unet-denoiser.onnx' },
    name: { type: 'string', default: 'unet-denoiser' },
    size: { type: 'string', default: '256' },
    concurrency: { type: 'string', default: '8' },
    seconds: { type: 'string', default: '15' },
    rounds: { type: 'string', default: '2' },
    json: { type: 'boolean', default: false },
    // Extra `serve` flags for ours, e.g. "--json-threads 0" to measure JSON on the event loop.
    'server-args': { type: 'string', default: '' },
  },
});
const log = (line) => process.stderr.write(`${line}\n`);
const onnx = fileURLToPath(new URL(`../${values.onnx}`, import.meta.url));
const size = Number(values.size);
const concurrency = Number(values.concurrency);
const seconds = Number(values.seconds);
const shape = [1, 3, size, size];
const count = 3 * size * size;
const pixels = new Float32Array(count).map((_, i) => ((i * 7919) % 255) / 255);

// The request a curl user or KServe's client sends: what Python's json.dumps writes for float32 values
// read into doubles (e.g. 0.0039215688593685627), not short decimals that would flatter the parser.
const jsonBody = JSON.stringify({
  inputs: [{ name: 'input', shape, datatype: 'FP32', data: Array.from(pixels) }],
});
const binary = binaryInferRequest({ input: 'input', output: 'output', shape, data: pixels, outputBytes: count * 4 });

async function inProcess() {
  const runner = await createNodeRunner(onnx);
  const feeds = { input: createTensor('float32', shape, pixels) };
  for (let i = 0; i < 3; i++) await runner.run(feeds);
  let n = 0;
  const t0 = performance.now();
  while (performance.now() - t0 < seconds * 1000) {
    await runner.run(feeds);
    n++;
  }
  const secs = (performance.now() - t0) / 1000;
  await runner.dispose();
  return { imagesPerSec: n / secs, p50: (secs * 1000) / n, p99: undefined, errors: 0 };
}

async function load(url, path, headers, body, { probe = false } = {}) {
  const client = httpClient(url, concurrency);
  const prober = probe ? fork(fileURLToPath(new URL('./server-health-probe.mjs', import.meta.url)), [url, '10']) : null;
  try {
    const send = async () => {
      const res = await client.request('POST', path, headers, body, { keepBody: false });
      if (res.status !== 200) throw new Error(`HTTP ${res.status} from ${url}${path}`);
      return 1;
    };
    await sleep(200);
    const result = await closedLoop({
      concurrency,
      warmup: concurrency * 2,
      minCount: 20,
      minSeconds: seconds,
      maxSeconds: seconds * 3,
      send,
      hooks: { onStart: () => prober?.send('start') },
    });
    if (prober) {
      result.live = await new Promise((resolve) => {
        prober.once('message', resolve);
        prober.send('stop');
      });
    }
    return result;
  } finally {
    prober?.send('exit');
    client.close();
  }
}

async function startMlserver() {
  const dir = mkdtempSync(join(tmpdir(), 'oxv-mlserver-'));
  const model = join(dir, values.name);
  const port = 18_000 + Math.floor(Math.random() * 1000);
  writeFileSync(
    join(dir, 'settings.json'),
    JSON.stringify({ http_port: port, grpc_port: port + 1, metrics_port: port + 2, debug: false }),
  );
  mkdirSync(model);
  writeFileSync(
    join(model, 'model-settings.json'),
    JSON.stringify({
      name: values.name,
      implementation: 'onnx_model.OnnxModel',
      max_batch_size: 4,
      max_batch_time: 0.005,
      parameters: { uri: onnx },
    }),
  );
  const child = spawn(values.mlserver, ['start', dir], {
    env: { ...process.env, PYTHONPATH: fileURLToPath(new URL('./mlserver/', import.meta.url)) },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (c) => (stderr += c));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 120_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`mlserver exited (${child.exitCode}):\n${stderr.slice(-2000)}`);
    try {
      const res = await fetch(`${url}/v2/models/${values.name}/ready`);
      if (res.status === 200) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`mlserver not ready in 120 s:\n${stderr.slice(-2000)}`);
    await sleep(500);
  }
  log(`mlserver pid ${child.pid} at ${url} (${dirname(values.mlserver)})`);
  return {
    url,
    async stop() {
      child.kill('SIGTERM');
      await Promise.race([new Promise((r) => child.once('exit', r)), sleep(10_000)]);
      if (child.exitCode === null) child.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

const path = `/v2/models/${values.name}/infer`;
const JSON_HEADERS = { 'content-type': 'application/json' };
const kinds = {
  'in-process': () => inProcess(),
  'ours json': (s) => load(s.ours.url, path, JSON_HEADERS, jsonBody, { probe: true }),
  'ours binary': (s) => load(s.ours.url, path, binary.headers, binary.body),
  mlserver: (s) => load(s.mlserver.url, path, JSON_HEADERS, jsonBody),
};

log(`machine: ${JSON.stringify(machine())}`);
log(`request: ${shape.join('×')} FP32, JSON body ${(jsonBody.length / 1e6).toFixed(2)} MB, concurrency ${concurrency}`);
const serverArgs = values['server-args'].split(' ').filter(Boolean);
const servers = { ours: await startServer(['--model', onnx, ...serverArgs], { log }), mlserver: await startMlserver() };
const results = Object.fromEntries(Object.keys(kinds).map((k) => [k, []]));
try {
  for (let round = 0; round < Number(values.rounds); round++) {
    const order = Object.keys(kinds);
    if (round % 2 === 1) order.reverse();
    for (const kind of order) {
      const r = await kinds[kind](servers);
      results[kind].push(r);
      log(
        `round ${round + 1} ${kind}: ${fmt(r.imagesPerSec)} img/s, p50 ${fmt(r.p50)} p99 ${fmt(r.p99)} ms, errors ${r.errors}` +
          (r.live ? `; /v2/health/live p99 ${fmt(r.live.p99)} ms` : ''),
      );
    }
  }
} finally {
  await servers.ours.stop();
  await servers.mlserver.stop();
}

const med = (kind, key = 'imagesPerSec') => median(results[kind].map((r) => r[key]));
const summary = {
  machine: machine(),
  shape,
  concurrency,
  seconds,
  rounds: Number(values.rounds),
  results,
  ratios: {
    ours_json_over_mlserver: med('ours json') / med('mlserver'),
    ours_binary_over_in_process: med('ours binary') / med('in-process'),
    ours_json_over_in_process: med('ours json') / med('in-process'),
    mlserver_over_in_process: med('mlserver') / med('in-process'),
  },
  live_p99_ms_during_ours_json: median(results['ours json'].map((r) => r.live?.p99)),
};
if (values.json) process.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
log('');
log('| server | encoding | img/s (median) | p50 / p99 ms | of in-process |');
log('|---|---|---|---|---|');
for (const [kind, encoding] of [
  ['in-process', '—'],
  ['ours binary', 'binary'],
  ['ours json', 'JSON'],
  ['mlserver', 'JSON'],
]) {
  log(
    `| ${kind} | ${encoding} | ${fmt(med(kind))} | ${fmt(med(kind, 'p50'))} / ${fmt(med(kind, 'p99'))} | ${fmt(med(kind) / med('in-process'), 2)} |`,
  );
}
log(
  `ratios: ours JSON / MLServer JSON ${fmt(summary.ratios.ours_json_over_mlserver, 2)}×; ` +
    `ours binary / in-process ${fmt(summary.ratios.ours_binary_over_in_process, 2)}; ` +
    `/v2/health/live p99 during ours JSON ${fmt(summary.live_p99_ms_during_ours_json)} ms`,
);
