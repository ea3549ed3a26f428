/**
 * The ONNX runners' benchmark worker: `node ort-worker.js`, one per runner, so that its peak RSS is the
 * runner's own and one runtime's memory never counts against another. Speaks the line protocol of
 * ../internal/session.ts; only `runner.run` is inside the timed region, as a user's own loop would call it.
 */
import { createInterface } from 'node:readline';
import { createRng, randomTensor, isDType, type Runner, type Tensor } from '@oxidizedvision/runtime';

interface LoadRequest {
  runner: 'onnxruntime-node' | 'onnxruntime-web';
  model: string;
  provider: 'cpu' | 'cuda' | 'tensorrt' | 'wasm';
  threads: number | null;
}
interface PrepareRequest {
  inputs: { name: string; dtype: string; shape: number[] }[];
  warmup: number;
  seed: number;
}
interface WindowRequest {
  iters?: number;
  duration_ms?: number;
}

let runner: Runner | undefined;
let feeds: Record<string, Tensor> | undefined;

const now = (): bigint => process.hrtime.bigint();
const peakRssBytes = (): number => process.resourceUsage().maxRSS * 1024; // maxRSS is in kilobytes

async function load(request: LoadRequest) {
  // Import only the runtime this worker benchmarks, so the other's native library is not in its RSS.
  const create =
    request.runner === 'onnxruntime-web'
      ? (await import('@oxidizedvision/runtime/web')).createWebRunner
      : (await import('@oxidizedvision/runtime/node')).createNodeRunner;
  const baseline = peakRssBytes();
  const start = now();
  runner = await create(request.model, {
    executionProvider: request.provider,
    ...(request.threads ? { intraOpThreads: request.threads } : {}),
  });
  return { load_ms: Number(now() - start) / 1e6, baseline_rss_bytes: baseline, info: runner.info() };
}

function makeFeeds(inputs: PrepareRequest['inputs'], seed: number): Record<string, Tensor> {
  const rng = createRng(seed);
  const out: Record<string, Tensor> = {};
  for (const { name, dtype, shape } of inputs) {
    if (!isDType(dtype)) throw new TypeError(`input "${name}" has dtype ${dtype}, which the runtime cannot feed`);
    out[name] = randomTensor(dtype, shape, rng);
  }
  return out;
}

async function prepare(request: PrepareRequest) {
  if (!runner) throw new Error('prepare before load');
  feeds = makeFeeds(request.inputs, request.seed);
  const start = now();
  await runner.run(feeds);
  const first = Number(now() - start) / 1e6;
  for (let i = 0; i < request.warmup; i++) await runner.run(feeds);
  return { first_inference_ms: first };
}

async function window(request: WindowRequest) {
  if (!runner || !feeds) throw new Error('window before prepare');
  const active = runner;
  const input = feeds;
  const latencies: number[] = [];
  const durationNs = request.iters ? undefined : BigInt(Math.round((request.duration_ms ?? 0) * 1e6));
  const windowStart = now();
  for (;;) {
    const start = now();
    await active.run(input);
    const end = now();
    latencies.push(Number(end - start));
    if (request.iters ? latencies.length >= request.iters : end - windowStart >= durationNs!) break;
  }
  return { latencies_ns: latencies, wall_ns: Number(now() - windowStart) };
}

const handlers: Record<string, (request: never) => Promise<unknown>> = {
  load,
  prepare,
  window,
  rss: async () => ({ peak_rss_bytes: peakRssBytes() }),
};

function reply(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value)}\n`);
}

async function handle(line: string): Promise<void> {
  const request = JSON.parse(line) as { cmd: string };
  const handler = handlers[request.cmd];
  try {
    if (!handler) throw new Error(`unknown benchmark request "${request.cmd}"`);
    reply({ ok: true, result: await handler(request as never) });
  } catch (error) {
    const err = error as { code?: string; message?: string; hint?: string };
    reply({
      ok: false,
      error: { code: err.code ?? 'ERR_INFERENCE', message: err.message ?? String(error), hint: err.hint },
    });
  }
}

// Requests arrive one at a time (the parent waits for each reply), but a chain keeps them in order anyway.
let chain = Promise.resolve();
createInterface({ input: process.stdin })
  .on('line', (line) => {
    if (line.trim()) chain = chain.then(() => handle(line));
  })
  .on('close', () => {
    void chain.then(async () => {
      await runner?.dispose();
      process.exit(0);
    });
  });
