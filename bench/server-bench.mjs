// Server throughput/latency benchmark: in ONE run, for one model, side by side and interleaved:
//   bare     createNodeRunner on this thread, same intra-op thread budget, batch 1 and batch N (the limit)
//   inproc   createModelManager in this process (worker thread, batcher) called directly, no HTTP
//   http     `oxidizedvision serve` in a child process, closed-loop keep-alive clients (--client raw, the
//            default: bench/raw-http-client.mjs, which costs the shared cores least; --client node:
//            node:http), Triton binary tensor payloads (input and output), port 0 on 127.0.0.1
// each with batching off (max batch 1) and on (max batch N, max queue delay D ms), at concurrency 1,4,16,64,
// repeated --repeats times (round-robin, alternating the order of inproc/http), plus /v2/health/live p99
// from a separate prober process in an extra window at the largest concurrency (not counted as throughput).
// --instances N --threads T sets the model's instances and intra-op threads on both sides (default 1 x cores).
//
//   node bench/server-bench.mjs --model unet
//   node bench/server-bench.mjs --model mobilenet --onnx /tmp/oxv-bench-mnv3/out/mobilenet_v3_small_96.onnx
//
// Client and server share this machine's cores; see docs/benchmarks.md for how to read the ratios.
import { performance } from 'node:perf_hooks';
import { fork } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { createNodeRunner } from '@oxidizedvision/runtime/node';
import { createModelManager, DEFAULT_BATCHING } from '@oxidizedvision/server';
import {
  binaryInferRequest,
  closedLoop,
  fmt,
  httpClient,
  machine,
  median,
  procCpuMs,
  sleep,
  startServer,
} from './server-lib.mjs';
import { rawHttpClient } from './raw-http-client.mjs';

const PRESETS = {
  unet: {
    name: 'unet-denoiser',
    onnx: 'examples/unet-denoiser/out/unet-denoiser.onnx',
    shape: [1, 3, 256, 256],
    minSeconds: 4,
    minCount: 40,
  },
  mobilenet: {
    name: 'mobilenet_v3_small_96',
    onnx: '/tmp/oxv-bench-mnv3/out/mobilenet_v3_small_96.onnx',
    shape: [1, 3, 96, 96],
    minSeconds: 3,
    minCount: 300,
  },
};

const { values: flags } = parseArgs({
  options: {
    model: { type: 'string', default: 'unet' },
    onnx: { type: 'string' },
    conc: { type: 'string', default: '1,4,16,64' },
    repeats: { type: 'string', default: '3' },
    'max-batch': { type: 'string', default: '8' },
    'delay-ms': { type: 'string', default: '2' },
    threads: { type: 'string' },
    instances: { type: 'string', default: '1' },
    client: { type: 'string', default: 'raw' },
    'min-seconds': { type: 'string' },
    'min-count': { type: 'string' },
    'server-args': { type: 'string', default: '' },
    'server-node-args': { type: 'string', default: '' },
    json: { type: 'string' },
    'from-json': { type: 'string' },
  },
});
const preset = PRESETS[flags.model];
if (!preset) throw new Error(`--model must be one of ${Object.keys(PRESETS).join(', ')}`);
if (!['raw', 'node'].includes(flags.client)) throw new Error(`--client must be raw or node, got ${flags.client}`);
const onnx = flags.onnx ?? preset.onnx;
let conc = flags.conc.split(',').map(Number);
let maxConc = Math.max(...conc);
let repeats = Number(flags.repeats);
let maxBatch = Number(flags['max-batch']);
const delayMs = Number(flags['delay-ms']);
const machineInfo = machine();
const instances = Number(flags.instances);
const threads = Number(flags.threads ?? Math.max(1, Math.floor(machineInfo.cores / instances)));
const minSeconds = Number(flags['min-seconds'] ?? preset.minSeconds);
const minCount = Number(flags['min-count'] ?? preset.minCount);
const extraServerArgs = flags['server-args'].split(' ').filter(Boolean);
const log = (...a) => console.log(...a);

log(`# server-bench ${flags.model}: ${onnx}, input ${preset.shape.join('x')}`);
log(`# ${JSON.stringify(machineInfo)}`);
log(
  `# command: node ${process.argv
    .slice(1)
    .map((a) => a.replace(process.cwd() + '/', ''))
    .join(' ')}`,
);
log(
  `# ${instances} instance(s) x ${threads} intra-op thread(s), batching off = max batch 1; on = max batch ${maxBatch}, ` +
    `max queue delay ${delayMs} ms; concurrency ${conc.join(',')}; repeats ${repeats}; ${flags.client} client; window >= ${minSeconds} s and ` +
    `>= max(${minCount}, 2*c) requests after max(5, c) warm-up completions`,
);

const batchings = {
  off: { maxBatchSize: 1, maxQueueDelayMs: 0 },
  on: { maxBatchSize: maxBatch, maxQueueDelayMs: delayMs },
};

async function measure() {
  // ---- model facts from a bare runner --------------------------------------------------------------
  const bareRunner = await createNodeRunner(onnx, { intraOpThreads: threads });
  const info = bareRunner.info();
  const inputName = info.inputs[0].name;
  const outputName = info.outputs[0].name;
  const sampleElems = preset.shape.reduce((a, b) => a * b, 1);
  const template = new Float32Array(sampleElems);
  for (let i = 0; i < template.length; i++) template[i] = ((i * 2654435761) % 1000) / 1000; // fixed pseudo-image
  const probe = await bareRunner.run({
    [inputName]: { dtype: 'float32', shape: preset.shape, data: template.slice() },
  });
  const outputBytes = probe[outputName].data.byteLength;

  const feed = (batch) => {
    const data = new Float32Array(sampleElems * batch);
    for (let b = 0; b < batch; b++) data.set(template, b * sampleElems);
    return { [inputName]: { dtype: 'float32', shape: [batch, ...preset.shape.slice(1)], data } };
  };

  async function bare(batch) {
    for (let i = 0; i < 3; i++) await bareRunner.run(feed(batch));
    const lat = [];
    const t0 = performance.now();
    const cpu0 = process.cpuUsage();
    while ((performance.now() - t0) / 1000 < minSeconds || lat.length < 5) {
      const f = feed(batch); // a fresh input per run, as the other modes get
      const t = performance.now();
      await bareRunner.run(f);
      lat.push(performance.now() - t);
    }
    const seconds = (performance.now() - t0) / 1000;
    const cpu = process.cpuUsage(cpu0);
    lat.sort((a, b) => a - b);
    return {
      batch,
      runs: lat.length,
      execPerSec: lat.length / seconds,
      imagesPerSec: (lat.length * batch) / seconds,
      p50: lat[Math.floor(lat.length / 2)],
      cpuMsPerImage: (cpu.user + cpu.system) / 1000 / (lat.length * batch),
    };
  }

  // ---- in-process managers and server children, all up before measuring -----------------------------
  const managers = {};
  const servers = {};
  const clients = {};
  const probers = {};
  for (const [key, b] of Object.entries(batchings)) {
    managers[key] = createModelManager({
      cores: threads * instances,
      models: [
        {
          name: preset.name,
          source: { kind: 'file', path: onnx },
          batching: { ...DEFAULT_BATCHING, ...b, maxQueueSize: 0, timeoutMs: 0 },
          instances: { count: instances, threads },
        },
      ],
    });
    await managers[key].start();
    servers[key] = await startServer(
      [
        '--model',
        `${preset.name}=${onnx}`,
        '--max-batch-size',
        String(b.maxBatchSize),
        '--max-wait-ms',
        String(b.maxQueueDelayMs),
        '--max-queue-size',
        '0',
        '--timeout-ms',
        '0',
        '--instances',
        String(instances),
        '--threads',
        String(threads),
        ...extraServerArgs,
      ],
      { log: (m) => log(`# ${key}: ${m}`), nodeArgs: flags['server-node-args'].split(' ').filter(Boolean) },
    );
    clients[key] = (flags.client === 'node' ? httpClient : rawHttpClient)(servers[key].url, maxConc);
    probers[key] = fork(fileURLToPath(new URL('./server-health-probe.mjs', import.meta.url)), [servers[key].url, '10']);
  }

  // The control: a bare node:http liveness server in its own process, probed in the same windows.
  const control = await startServer([], {
    script: fileURLToPath(new URL('./server-control.mjs', import.meta.url)),
    log: (m) => log(`# control: ${m}`),
  });
  const controlProber = fork(fileURLToPath(new URL('./server-health-probe.mjs', import.meta.url)), [control.url, '10']);

  const ask = (child, msg) =>
    new Promise((resolve) => {
      if (msg === 'stop') child.once('message', resolve);
      child.send(msg);
      if (msg !== 'stop') resolve();
    });

  const req = binaryInferRequest({
    input: inputName,
    output: outputName,
    shape: preset.shape,
    data: template,
    outputBytes,
  });

  async function httpStats(key) {
    const res = await clients[key].request('GET', `/v2/models/${preset.name}/stats`, {}, undefined);
    const s = JSON.parse(res.body.toString()).model_stats[0];
    return { inferences: s.inference_count, executions: s.execution_count };
  }
  function managerStats(key) {
    const s = managers[key].stats(preset.name)[0];
    return { inferences: s.inference_count, executions: s.execution_count };
  }

  async function runPoint(mode, key, c) {
    const loop = {
      concurrency: c,
      warmup: Math.max(5, c),
      minCount: Math.max(minCount, 2 * c),
      minSeconds,
      maxSeconds: Math.max(60, minSeconds * 4),
    };
    if (mode === 'inproc') {
      const m = managers[key];
      const before = managerStats(key);
      const cpu0 = process.cpuUsage();
      const r = await closedLoop({
        ...loop,
        send: async () => {
          const out = await m.infer(preset.name, undefined, {
            inputs: { [inputName]: { dtype: 'float32', shape: preset.shape, data: template.slice() } },
          });
          if (out.outputs[outputName].data.byteLength !== outputBytes) throw new Error('wrong output size');
          return 1;
        },
      });
      const cpu = process.cpuUsage(cpu0);
      const after = managerStats(key);
      const completed = after.inferences - before.inferences;
      return {
        ...r,
        avgBatch: completed / (after.executions - before.executions),
        cpuMsPerReq: { process: (cpu.user + cpu.system) / 1000 / completed },
      };
    }
    const client = clients[key];
    const send = async () => {
      const res = await client.request('POST', `/v2/models/${preset.name}/infer`, req.headers, req.body, {
        keepBody: false,
      });
      req.check(res);
      return 1;
    };
    const before = await httpStats(key);
    const srv0 = procCpuMs(servers[key].pid);
    const cpu0 = process.cpuUsage();
    const r = await closedLoop({ ...loop, send });
    const cpu = process.cpuUsage(cpu0);
    const srvCpu = procCpuMs(servers[key].pid) - srv0;
    const after = await httpStats(key);
    const completed = after.inferences - before.inferences;
    // Liveness is probed in a window of its own at the same load, right after: the probers and the control
    // server are two more processes on the same cores, and in the throughput window they would take CPU
    // from the HTTP side that the in-process side does not lose.
    let health;
    if (c === maxConc) {
      await closedLoop({
        ...loop,
        send,
        hooks: {
          onStart: () => {
            ask(probers[key], 'start');
            ask(controlProber, 'start');
          },
          onStop: () => {
            health = Promise.all([ask(probers[key], 'stop'), ask(controlProber, 'stop')]).then(([h, ctl]) => ({
              ...h,
              control: ctl,
            }));
          },
        },
      });
    }
    return {
      ...r,
      avgBatch: completed / (after.executions - before.executions),
      cpuMsPerReq: { client: (cpu.user + cpu.system) / 1000 / completed, server: srvCpu / completed },
      health: health ? await health : undefined,
    };
  }

  // ---- idle liveness baseline ------------------------------------------------------------------------
  const idleHealth = {};
  for (const key of Object.keys(batchings)) {
    await ask(probers[key], 'start');
    await sleep(1500);
    idleHealth[key] = await ask(probers[key], 'stop');
  }
  await ask(controlProber, 'start');
  await sleep(1500);
  idleHealth.control = await ask(controlProber, 'stop');
  log(
    `# idle /v2/health/live p99: ${Object.entries(idleHealth)
      .map(([k, h]) => `${k} ${fmt(h.p99, 2)} ms (${h.samples} samples)`)
      .join(', ')}`,
  );

  // ---- measurement rounds ----------------------------------------------------------------------------
  const results = []; // {rep, key, mode, c, ...}
  const bareResults = [];
  let flip = false;
  for (let rep = 1; rep <= repeats; rep++) {
    for (const batch of [1, maxBatch]) {
      const b = await bare(batch);
      bareResults.push({ rep, ...b });
      log(
        `rep ${rep} bare   batch ${String(batch).padStart(2)}: ${fmt(b.execPerSec, 2)} runs/s, ${fmt(b.imagesPerSec, 1)} img/s, ` +
          `p50 ${fmt(b.p50, 2)} ms/run, cpu ${fmt(b.cpuMsPerImage, 2)} ms/img`,
      );
    }
    for (const key of Object.keys(batchings)) {
      for (const c of conc) {
        // Alternate which mode goes first, point by point and (an odd shift per repeat) round by round.
        const order = (flip = !flip) !== (rep % 2 === 0) ? ['inproc', 'http'] : ['http', 'inproc'];
        for (const mode of order) {
          const r = await runPoint(mode, key, c);
          results.push({ rep, key, mode, c, ...r });
          const cpu = Object.entries(r.cpuMsPerReq)
            .map(([k, v]) => `${k} ${fmt(v, 2)}`)
            .join(' ');
          log(
            `rep ${rep} batch-${key.padEnd(3)} ${mode.padEnd(6)} c=${String(c).padStart(2)}: ${fmt(r.inferPerSec, 1)} req/s (=img/s), ` +
              `${fmt(r.inferPerSec / r.avgBatch, 1)} exec/s, avg batch ${fmt(r.avgBatch, 2)}, p50 ${fmt(r.p50, 1)} ms, p99 ${fmt(r.p99, 1)} ms, ` +
              `n=${r.requests}, cpu ms/req ${cpu}${r.errors ? `, ERRORS ${r.errors}: ${r.firstError}` : ''}` +
              (r.health
                ? ` | live p99 ${fmt(r.health.p99, 2)} ms max ${fmt(r.health.max, 2)} (${r.health.samples} probes, ${r.health.failures} failed)` +
                  (r.health.control ? `; control bare-http live p99 ${fmt(r.health.control.p99, 2)} ms` : '')
                : ''),
          );
        }
      }
    }
  }

  // ---- teardown ----
  // Each server's peak resident memory over the whole run (the kernel's high-water mark).
  const peakRssMiB = {};
  for (const key of Object.keys(batchings)) {
    const status = readFileSync(`/proc/${servers[key].pid}/status`, 'utf8');
    peakRssMiB[key] = Number(/VmHWM:\s+(\d+) kB/.exec(status)?.[1]) / 1024;
  }
  controlProber.send('exit');
  await control.stop();
  for (const key of Object.keys(batchings)) {
    probers[key].send('exit');
    clients[key].close();
    await servers[key].stop();
    await managers[key].close();
  }
  await bareRunner.dispose();
  return { idleHealth, bareResults, results, peakRssMiB };
}

const { idleHealth, bareResults, results, peakRssMiB } = flags['from-json']
  ? ((d) => {
      log(`# summary of ${flags['from-json']}, measured on ${JSON.stringify(d.machine)} with: ${d.argv.join(' ')}`);
      // The run's own settings, whatever flags this summary was called with.
      conc = [...new Set(d.results.map((r) => r.c))].sort((a, b) => a - b);
      maxConc = Math.max(...conc);
      repeats = Math.max(...d.results.map((r) => r.rep));
      maxBatch = Math.max(...(d.bareResults ?? d.bare).map((b) => b.batch));
      return { ...d, bareResults: d.bareResults ?? d.bare };
    })(JSON.parse(readFileSync(flags['from-json'], 'utf8')))
  : await measure();

if (flags.json) {
  writeFileSync(
    flags.json,
    JSON.stringify(
      { machine: machineInfo, argv: process.argv.slice(2), idleHealth, bareResults, results, peakRssMiB },
      null,
      1,
    ),
  );
}

// ---- summary: medians over repeats, [min-max] --------------------------------------------------------
const pick = (key, mode, c) => results.filter((r) => r.key === key && r.mode === mode && r.c === c);
const spread = (xs, d = 1) => `${fmt(median(xs), d)} [${fmt(Math.min(...xs), d)}-${fmt(Math.max(...xs), d)}]`;
const perRep = (f) => Array.from({ length: repeats }, (_, i) => f(i + 1)).filter((x) => Number.isFinite(x));
const one = (key, mode, c, rep) => results.find((r) => r.key === key && r.mode === mode && r.c === c && r.rep === rep);

log('');
log(`## ${preset.name}: median [min-max] over ${repeats} repeats`);
for (const batch of [1, maxBatch]) {
  const rows = bareResults.filter((b) => b.batch === batch);
  log(
    `bare runner batch ${batch}: ${spread(rows.map((r) => r.imagesPerSec))} img/s, ` +
      `${spread(
        rows.map((r) => r.execPerSec),
        2,
      )} runs/s`,
  );
}
log('');
log(
  '| batching | c | in-process req/s (=img/s) | HTTP req/s (=img/s) | HTTP/in-process | in-process p50 / p99 ms | HTTP p50 / p99 ms | avg batch in-proc / HTTP | cpu ms/req in-process | cpu ms/req HTTP client+server | in-process cpu / server cpu |',
);
log('|---|---|---|---|---|---|---|---|---|---|---|');
for (const key of Object.keys(batchings)) {
  for (const c of conc) {
    const ip = pick(key, 'inproc', c);
    const hp = pick(key, 'http', c);
    const ratio = perRep((rep) => one(key, 'http', c, rep).inferPerSec / one(key, 'inproc', c, rep).inferPerSec);
    log(
      `| ${key} | ${c} | ${spread(ip.map((r) => r.inferPerSec))} | ${spread(hp.map((r) => r.inferPerSec))} | ` +
        `${spread(ratio, 3)} | ${fmt(median(ip.map((r) => r.p50)))} / ${fmt(median(ip.map((r) => r.p99)))} | ` +
        `${fmt(median(hp.map((r) => r.p50)))} / ${fmt(median(hp.map((r) => r.p99)))} | ` +
        `${fmt(median(ip.map((r) => r.avgBatch)), 2)} / ${fmt(median(hp.map((r) => r.avgBatch)), 2)} | ` +
        `${fmt(median(ip.map((r) => r.cpuMsPerReq.process)), 2)} | ` +
        `${fmt(median(hp.map((r) => r.cpuMsPerReq.client)), 2)}+${fmt(median(hp.map((r) => r.cpuMsPerReq.server)), 2)} | ` +
        `${spread(
          perRep((rep) => one(key, 'inproc', c, rep).cpuMsPerReq.process / one(key, 'http', c, rep).cpuMsPerReq.server),
          3,
        )} |`,
    );
  }
}
log('');
const bareMed = (batch) => median(bareResults.filter((b) => b.batch === batch).map((b) => b.imagesPerSec));
for (const key of Object.keys(batchings)) {
  const bestBare = key === 'off' ? bareMed(1) : Math.max(bareMed(1), bareMed(maxBatch));
  for (const c of conc.filter((x) => x >= 16)) {
    const r = perRep((rep) => one(key, 'http', c, rep).inferPerSec / one(key, 'inproc', c, rep).inferPerSec);
    const hb = median(pick(key, 'http', c).map((x) => x.inferPerSec));
    const ib = median(pick(key, 'inproc', c).map((x) => x.inferPerSec));
    log(
      `ratio batch-${key} c=${c}: HTTP/in-process ${spread(r, 3)}; HTTP/bare-runner ${fmt(hb / bestBare, 3)}; in-process/bare-runner ${fmt(ib / bestBare, 3)}`,
    );
  }
}
for (const mode of ['http', 'inproc']) {
  for (const c of conc.filter((x) => x >= 4)) {
    const lift = perRep((rep) => one('on', mode, c, rep).inferPerSec / one('off', mode, c, rep).inferPerSec);
    log(`batching lift (${mode}) c=${c}: on/off ${spread(lift, 3)}`);
  }
}
log(`bare runner batch ${maxBatch}/batch 1 images/s: ${fmt(bareMed(maxBatch) / bareMed(1), 3)}`);
for (const key of Object.keys(batchings)) {
  const hs = pick(key, 'http', maxConc).map((r) => r.health);
  log(
    `/v2/health/live under load (batch-${key}, c=${maxConc}): p99 ${spread(
      hs.map((h) => h.p99),
      2,
    )} ms, max ${fmt(Math.max(...hs.map((h) => h.max)), 2)} ms, ${hs.reduce((a, h) => a + h.samples, 0)} probes, ` +
      `${hs.reduce((a, h) => a + h.failures, 0)} failed; idle p99 ${fmt(idleHealth[key].p99, 2)} ms` +
      (hs[0].control
        ? `; control bare node:http server in the same windows: p99 ${spread(
            hs.map((h) => h.control.p99),
            2,
          )} ms (idle ${fmt(idleHealth.control?.p99, 2)} ms)`
        : ''),
  );
}
if (peakRssMiB) {
  log(
    `server peak RSS (VmHWM) over the run: ${Object.entries(peakRssMiB)
      .map(([key, mib]) => `batch-${key} ${fmt(mib, 0)} MiB`)
      .join(', ')}`,
  );
}
log(`# finished ${new Date().toISOString()}, loadavg ${JSON.stringify(machine().loadavg)}`);
