#!/usr/bin/env node
// Does the benchmark's pytorch runner report what a hand-written Python timing loop measures?
// Usage: node bench/pytorch-overhead.mjs <config.yml> [--sessions 8] [--pairs 32] [--iters 5] [--warmup 5]
//        [--threads N] [--control] [--json]
// The runner side is the Python bridge's benchmark session (what benchmarkModel drives for `pytorch`);
// the bare side is bench/bare-pytorch-worker.py. --control puts a second bare loop in the runner's place.
// Target: pooled p50 ratio within 5% (0.95–1.05), in one run.
import { fileURLToPath } from 'node:url';
import { BRIDGE_SCRIPT, findPython, loadConfig } from '@oxidizedvision/tools';
import {
  pairedSessions,
  parseFlags,
  printSummary,
  startSession,
  summarizePairs,
  timedWindow,
} from './overhead-lib.mjs';

const flags = parseFlags({
  sessions: 8,
  pairs: 32,
  iters: 5,
  warmup: 5,
  usage: 'node bench/pytorch-overhead.mjs <config.yml>',
});
const log = (line) => process.stderr.write(`${line}\n`);
const BARE_WORKER = fileURLToPath(new URL('./bare-pytorch-worker.py', import.meta.url));
const config = loadConfig(flags.target);
if (config.model.inputs.length !== 1) throw new Error('the bare loop feeds one input; this config has several');
const python = await findPython({ config: config.python });
const input = config.model.inputs[0];
const shape = flags.inputShape ?? input.shape;
const { kind, path, arch, class_name, init_args, checkpoint } = config.model;
log(`${config.export.model_name}: input ${shape.join('x')}, torch ${python.torch} (${python.python})`);

async function startBare(label) {
  const session = startSession(python.python, [BARE_WORKER], { label });
  const loaded = await session.call('load', {
    path,
    class_name,
    init_args,
    checkpoint,
    shape,
    warmup: flags.warmup,
    threads: flags.threads,
  });
  return { session, threads: loaded.threads };
}

/** Exactly the requests benchmarkModel sends for pytorch (run-runner.ts). */
async function startRunner() {
  const session = startSession(python.python, [BRIDGE_SCRIPT, 'benchmark'], { label: 'pytorch worker' });
  const model = { kind, path, arch, class_name, init_args, checkpoint };
  const loaded = await session.call('load', {
    runner: 'pytorch',
    model,
    device: 'cpu',
    threads: flags.threads ?? null,
  });
  await session.call('prepare', {
    inputs: [{ name: input.name, dtype: input.dtype, shape }],
    warmup: flags.warmup,
    seed: 0,
  });
  return { session, threads: loaded.threads };
}

let threads;
const pairs = await pairedSessions({
  sessions: flags.sessions,
  pairs: flags.pairs,
  iters: flags.iters,
  log,
  async start() {
    const runner = flags.control ? await startBare('second bare worker') : await startRunner();
    const bare = await startBare('bare worker');
    threads = { runner: runner.threads, bare: bare.threads };
    return {
      runner: (n) => timedWindow(runner.session, n),
      bare: (n) => timedWindow(bare.session, n),
      close: () => Promise.all([runner.session.close(), bare.session.close()]),
    };
  },
});
const summary = {
  benchmark: 'pytorch-overhead',
  control: flags.control,
  config: flags.target,
  sessions: flags.sessions,
  iters: flags.iters,
  threads,
  torch: python.torch,
  ...summarizePairs(pairs, 0.05),
};
if (flags.json) process.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
else printSummary(flags.control ? 'control: bare / bare' : 'pytorch runner / bare Python loop', summary);
