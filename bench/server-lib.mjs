// Shared by the server benchmarks (bench/server-bench.mjs): closed-loop load, the server child process,
// binary-tensor requests over keep-alive node:http, CPU accounting and the machine description.
import { performance } from 'node:perf_hooks';
import http from 'node:http';
import os from 'node:os';
import { readFileSync } from 'node:fs';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { summarizeLatencies as summarize } from '@oxidizedvision/benchmark';

export const CLI = fileURLToPath(new URL('../packages/cli/bin/oxidizedvision.js', import.meta.url));

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

export function machine() {
  const cpuinfo = readFileSync('/proc/cpuinfo', 'utf8');
  const model = /model name\s*:\s*(.*)/.exec(cpuinfo)?.[1] ?? os.cpus()[0]?.model ?? 'unknown';
  return {
    date: new Date().toISOString(),
    cores: os.availableParallelism(),
    cpu: model,
    node: process.version,
    loadavg: os.loadavg().map((x) => Number(x.toFixed(2))),
    memGiB: Number((os.totalmem() / 2 ** 30).toFixed(1)),
  };
}

/**
 * Closed loop: `concurrency` clients, each sending its next request as soon as the last answered.
 * The first `warmup` completions are not measured (they fill the queue to its steady state); then the
 * window runs until at least `minCount` completions and `minSeconds` have passed (or `maxSeconds`);
 * then no new request starts and the in-flight ones are awaited (not counted) so the next point starts
 * from an empty server. Latency is per request, measured at the client.
 */
export async function closedLoop({ concurrency, warmup, minCount, minSeconds, maxSeconds, send, hooks = {} }) {
  let completed = 0;
  let measuring = false;
  let stopping = false;
  let t0 = 0;
  let t1 = 0;
  let errors = 0;
  let firstError;
  const latencies = [];
  let images = 0;
  const begin = () => {
    measuring = true;
    t0 = performance.now();
    hooks.onStart?.();
  };
  if (warmup <= 0) begin();
  const worker = async () => {
    while (!stopping) {
      const started = performance.now();
      let n = 0;
      try {
        n = await send();
      } catch (error) {
        errors++;
        firstError ??= error;
        if (errors > 20) throw new Error(`too many errors; first: ${firstError?.message ?? firstError}`);
        continue;
      }
      const ended = performance.now();
      completed++;
      if (measuring && !stopping) {
        // Every completion inside the window counts (also those sent before it opened): in a closed loop
        // that is the steady-state rate; latencies are those of the same completions.
        latencies.push(ended - started);
        images += n;
        const elapsed = (ended - t0) / 1000;
        if ((latencies.length >= minCount && elapsed >= minSeconds) || elapsed >= maxSeconds) {
          stopping = true;
          t1 = ended;
          hooks.onStop?.();
        }
      } else if (!measuring && completed >= warmup) begin();
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  const seconds = (t1 - t0) / 1000;
  const s = summarize(latencies);
  return {
    concurrency,
    requests: latencies.length,
    seconds,
    inferPerSec: latencies.length / seconds,
    imagesPerSec: images / seconds,
    p50: s.p50,
    p99: s.p99,
    mean: s.mean,
    errors,
    firstError: firstError ? String(firstError.message ?? firstError) : undefined,
  };
}

/** utime+stime of a process (all its threads) in ms, from /proc/<pid>/stat. */
export function procCpuMs(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = Number(fields[11]) + Number(fields[12]); // utime, stime (fields 14, 15 of proc(5))
  return (ticks * 1000) / 100; // USER_HZ is 100 on Linux
}

/**
 * Starts `oxidizedvision serve` in its own process on a free port; resolves once it printed "listening on".
 * `grpc` is the gRPC address (host:port) when the args include --grpc-port.
 */
export async function startServer(args, { log = () => {}, script, nodeArgs = [], env = {} } = {}) {
  const argv = [
    ...nodeArgs,
    ...(script ? [script, ...args] : [CLI, 'serve', '--host', '127.0.0.1', '--port', '0', ...args]),
  ];
  const child = spawn(process.execPath, argv, {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'ignore', 'pipe'], // request logs (stdout) go to /dev/null; pino still formats them
  });
  let stderr = '';
  let grpc;
  const url = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start in 120 s:\n${stderr}`)), 120_000);
    child.stderr.on('data', (chunk) => {
      stderr += chunk;
      const m = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(stderr);
      if (m) {
        clearTimeout(timer);
        grpc = /\(gRPC: (127\.0\.0\.1:\d+)/.exec(stderr)?.[1];
        resolve(m[1]);
      }
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`server exited (${code}) before listening:\n${stderr}`));
    });
  });
  child.removeAllListeners('exit');
  log(`server pid ${child.pid} at ${url}: ${script ? script : 'serve'} ${args.join(' ')}`);
  return {
    url,
    grpc,
    pid: child.pid,
    args,
    async stop() {
      if (child.exitCode !== null) return;
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await Promise.race([exited, sleep(10_000)]);
      if (child.exitCode === null) child.kill('SIGKILL');
    },
  };
}

/**
 * A keep-alive request function over node:http (one socket per client at most `sockets`). With
 * `keepBody: false` a 200 answer's body is only counted, not joined: the load generator shares the cores
 * with the server, and joining 0.8 MB per UNet answer cost it CPU a remote client would not take away.
 */
export function httpClient(url, sockets) {
  const { hostname, port } = new URL(url);
  if (hostname !== '127.0.0.1') throw new Error('benchmarks only talk to 127.0.0.1');
  const agent = new http.Agent({ keepAlive: true, maxSockets: sockets, maxFreeSockets: sockets });
  const request = (method, path, headers, body, { keepBody = true } = {}) =>
    new Promise((resolve, reject) => {
      const req = http.request({ agent, host: hostname, port, method, path, headers }, (res) => {
        const keep = keepBody || res.statusCode !== 200;
        const chunks = [];
        let length = 0;
        res.on('data', (c) => {
          length += c.length;
          if (keep) chunks.push(c);
        });
        res.on('end', () =>
          resolve({ status: res.statusCode, headers: res.headers, length, body: keep ? Buffer.concat(chunks) : null }),
        );
        res.on('error', reject);
      });
      req.on('error', reject);
      req.end(body);
    });
  return { request, close: () => agent.destroy() };
}

/**
 * Triton binary tensor extension request for a single FP32 input, asking for the named output in binary.
 * Returns the prebuilt body and a checker of the answer (status 200 and the exact output byte count).
 */
export function binaryInferRequest({ input, output, shape, data, outputBytes }) {
  const header = JSON.stringify({
    inputs: [{ name: input, shape, datatype: 'FP32', parameters: { binary_data_size: data.byteLength } }],
    outputs: [{ name: output, parameters: { binary_data: true } }],
  });
  const head = Buffer.from(header);
  const body = Buffer.concat([head, Buffer.from(data.buffer, data.byteOffset, data.byteLength)]);
  const headers = {
    'Content-Type': 'application/octet-stream',
    'Inference-Header-Content-Length': String(head.length),
    'Content-Length': String(body.length),
  };
  const check = (res) => {
    if (res.status !== 200) throw new Error(`HTTP ${res.status}: ${res.body.toString('utf8', 0, 300)}`);
    const hlen = Number(res.headers['inference-header-content-length']);
    if (res.length - hlen !== outputBytes)
      throw new Error(`expected ${outputBytes} output bytes, got ${res.length - hlen}`);
  };
  return { body, headers, check };
}

export const fmt = (x, d = 1) => (x === undefined || Number.isNaN(x) ? '-' : x.toFixed(d));

export const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
