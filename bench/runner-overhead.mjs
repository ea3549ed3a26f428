#!/usr/bin/env node
// Does the benchmark's onnxruntime-node runner report what a bare InferenceSession.run loop measures?
// Usage: node bench/runner-overhead.mjs <model.onnx> --input-shape 1,3,256,256 [--sessions 3] [--pairs 30]
//        [--iters 10] [--warmup 10] [--threads N] [--control] [--json]
// The runner side is benchmarkModel's own worker (packages/benchmark/dist/worker/ort-worker.js) timing runner.run;
// the bare side times session.run. --control puts a second bare loop in the runner's place (noise floor).
// Target: pooled p50 ratio within 3% (0.97–1.03), in one run.
import { fileURLToPath } from 'node:url';
import {
  pairedSessions,
  parseFlags,
  printSummary,
  startSession,
  summarizePairs,
  timedWindow,
} from './overhead-lib.mjs';

const flags = parseFlags({
  sessions: 3,
  pairs: 30,
  iters: 10,
  warmup: 10,
  usage: 'node bench/runner-overhead.mjs <model.onnx> --input-shape 1,3,H,W',
});
if (!flags.inputShape) throw new Error('--input-shape is required (the bare loop has no config to read it from)');
const log = (line) => process.stderr.write(`${line}\n`);
const ORT_WORKER = fileURLToPath(new URL('../packages/benchmark/dist/worker/ort-worker.js', import.meta.url));
const BARE_WORKER = fileURLToPath(new URL('./bare-ort-worker.mjs', import.meta.url));

async function startBare(label) {
  const session = startSession(process.execPath, [BARE_WORKER], { label });
  await session.call('load', {
    model: flags.target,
    threads: flags.threads,
    shape: flags.inputShape,
    warmup: flags.warmup,
  });
  return session;
}

/** Exactly the requests benchmarkModel sends for onnxruntime-node (run-runner.ts). */
async function startRunner() {
  const session = startSession(process.execPath, [ORT_WORKER], { label: 'onnxruntime-node worker' });
  await session.call('load', {
    runner: 'onnxruntime-node',
    model: flags.target,
    provider: 'cpu',
    threads: flags.threads ?? null,
  });
  const inputs = [{ name: 'input', dtype: 'float32', shape: flags.inputShape }];
  await session.call('prepare', { inputs, warmup: flags.warmup, seed: 0 });
  return session;
}

const pairs = await pairedSessions({
  sessions: flags.sessions,
  pairs: flags.pairs,
  iters: flags.iters,
  log,
  async start() {
    const runner = flags.control ? await startBare('second bare worker') : await startRunner();
    const bare = await startBare('bare worker');
    return {
      runner: (n) => timedWindow(runner, n),
      bare: (n) => timedWindow(bare, n),
      close: () => Promise.all([runner.close(), bare.close()]),
    };
  },
});
const summary = {
  benchmark: 'runner-overhead',
  control: flags.control,
  model: flags.target,
  sessions: flags.sessions,
  iters: flags.iters,
  threads: flags.threads ?? null,
  ...summarizePairs(pairs, 0.03),
};
if (flags.json) process.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
else
  printSummary(flags.control ? 'control: bare / bare' : 'onnxruntime-node runner / bare InferenceSession.run', summary);
