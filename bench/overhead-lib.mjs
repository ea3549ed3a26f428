// Shared by runner-overhead.mjs and pytorch-overhead.mjs: flags, paired windows, and the ratio summary.
import { parseArgs } from 'node:util';
import { latencyPercentile as percentile, summarizeLatencies as summarize } from '@oxidizedvision/benchmark';
// The same line-protocol client benchmarkModel uses to drive its workers (not part of the package API).
export { startSession } from '../packages/benchmark/dist/internal/session.js';

export function parseFlags(defaults) {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      sessions: { type: 'string', default: String(defaults.sessions) },
      pairs: { type: 'string', default: String(defaults.pairs) },
      iters: { type: 'string', default: String(defaults.iters) },
      warmup: { type: 'string', default: String(defaults.warmup) },
      threads: { type: 'string' },
      'input-shape': { type: 'string' },
      json: { type: 'boolean', default: false },
      // Both sides bare: the noise floor of this machine right now, to read the real comparison against.
      control: { type: 'boolean', default: false },
    },
  });
  if (positionals.length !== 1) throw new Error(`usage: ${defaults.usage}`);
  const int = (s) => (s === undefined ? undefined : Number.parseInt(s, 10));
  return {
    target: positionals[0],
    sessions: int(values.sessions),
    pairs: int(values.pairs),
    iters: int(values.iters),
    warmup: int(values.warmup),
    threads: int(values.threads),
    inputShape: values['input-shape']?.split(',').map(Number),
    json: values.json,
    control: values.control,
  };
}

/** One window of `iters` timed inferences from a worker session, in ms. */
export async function timedWindow(session, iters) {
  const reply = await session.call('window', { iters });
  return reply.latencies_ns.map((ns) => ns / 1e6);
}

/**
 * Alternates short windows of the two loops, both processes loaded and warm, swapping which goes first
 * in every pair. On a machine shared with other work a burst of load lasts seconds, longer than a pair,
 * so it lands on both sides alike; comparing whole runs one after the other instead let such bursts decide.
 */
export async function pairedWindows({ pairs, iters, runner, bare, log, first = 1 }) {
  const all = { runner: [], bare: [] };
  const ratios = [];
  for (let pair = first; pair < first + pairs; pair++) {
    const got = {};
    for (const side of pair % 2 === 1 ? ['bare', 'runner'] : ['runner', 'bare']) {
      got[side] = await (side === 'bare' ? bare(iters) : runner(iters));
      all[side].push(...got[side]);
    }
    const ratio = summarize(got.runner).p50 / summarize(got.bare).p50;
    ratios.push(ratio);
    log(
      `pair ${pair}: bare p50 ${summarize(got.bare).p50.toFixed(3)} ms, runner p50 ${summarize(got.runner).p50.toFixed(3)} ms, ratio ${ratio.toFixed(4)}`,
    );
  }
  return { all, ratios };
}

/**
 * Repeats paired windows over `sessions` fresh pairs of processes. Two identical PyTorch processes can
 * differ by ±10% for as long as they live (allocator and memory-layout state; the --control runs show
 * it), so one pair of processes cannot resolve a 5% question: pooling several can.
 */
export async function pairedSessions({ sessions, pairs, iters, start, log }) {
  const all = { runner: [], bare: [] };
  const ratios = [];
  const session_ratios = [];
  const perSession = Math.ceil(pairs / sessions);
  for (let s = 0; s < sessions; s++) {
    const { runner, bare, close } = await start();
    try {
      const got = await pairedWindows({ pairs: perSession, iters, runner, bare, log, first: s * perSession + 1 });
      all.runner.push(...got.all.runner);
      all.bare.push(...got.all.bare);
      ratios.push(...got.ratios);
      session_ratios.push(summarize(got.all.runner).p50 / summarize(got.all.bare).p50);
      log(`session ${s + 1}: p50 ratio ${session_ratios.at(-1).toFixed(4)}`);
    } finally {
      await close();
    }
  }
  return { all, ratios, session_ratios };
}

/** Pooled statistics of each side, their ratios, and the spread of the per-pair p50 ratios. */
export function summarizePairs({ all, ratios, session_ratios }, target) {
  const runner = summarize(all.runner);
  const bare = summarize(all.bare);
  const sorted = [...ratios].sort((a, b) => a - b);
  const q = (p) => percentile(sorted, p);
  const within = (r) => Math.abs(r - 1) <= target;
  return {
    pairs: ratios.length,
    inferences_per_side: all.runner.length,
    bare: { p50: bare.p50, mean: bare.mean, p90: bare.p90 },
    runner: { p50: runner.p50, mean: runner.mean, p90: runner.p90 },
    ratio_p50: runner.p50 / bare.p50,
    ratio_mean: runner.mean / bare.mean,
    pair_ratio_p50: { median: q(0.5), q1: q(0.25), q3: q(0.75), min: sorted[0], max: sorted.at(-1) },
    session_ratios_p50: session_ratios,
    pairs_within_target: ratios.filter(within).length,
    target_pct: target * 100,
    target_met: within(runner.p50 / bare.p50),
  };
}

export function printSummary(what, s) {
  const f = (x) => x.toFixed(4);
  const p = s.pair_ratio_p50;
  process.stdout.write(
    `${what}, ${s.inferences_per_side} inferences each: p50 ${s.runner.p50.toFixed(3)} / ${s.bare.p50.toFixed(3)} ms = ${f(s.ratio_p50)}, ` +
      `mean ${s.runner.mean.toFixed(3)} / ${s.bare.mean.toFixed(3)} ms = ${f(s.ratio_mean)}; per-pair p50 ratio median ${f(p.median)} ` +
      `(quartiles ${f(p.q1)}–${f(p.q3)}, range ${f(p.min)}–${f(p.max)}), ${s.pairs_within_target} of ${s.pairs} pairs within ±${s.target_pct}%; ` +
      `per-session p50 ratios ${s.session_ratios_p50.map(f).join(', ')}; ` +
      `target ±${s.target_pct}% on p50 ${s.target_met ? 'met' : 'NOT met'}\n`,
  );
}
