import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { Option, type Command } from '@commander-js/extra-typings';
import { OxvError } from '@oxidizedvision/runtime';
import type { BenchmarkProgressEvent, ModelBenchmarkReport, ServerBenchmarkReport } from '@oxidizedvision/benchmark';
// The list alone, a module with no imports: --help does not load the benchmark package (nor tools, sharp…).
import { BENCHMARK_RUNNERS as RUNNERS } from '@oxidizedvision/benchmark/runners';
import {
  collectShape,
  parseList,
  parseNonNegativeInt,
  parsePositiveInt,
  parsePositiveIntList,
  parsePositiveNumber,
  parseWindowCount,
  type ShapeOverride,
} from '../options.js';
import { printJson, table } from '../output/format.js';
import { createContext, type CommandContext } from '../context.js';

const MODEL_ONLY = ['runners', 'iters', 'threads', 'device', 'maxWindows', 'stability', 'python'] as const;
const SERVER_ONLY = ['model', 'concurrency', 'binary'] as const;
const flagName = (key: string) => `--${key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;

function checkMode(target: string | undefined, opts: Record<string, unknown>): void {
  const misplaced = (keys: readonly string[]) => keys.filter((k) => opts[k] !== undefined).map(flagName);
  if (opts.server !== undefined) {
    if (target !== undefined)
      throw new OxvError('ERR_USAGE', `give either a config/model or --server, not both (got "${target}")`);
    if (opts.model === undefined) throw new OxvError('ERR_USAGE', '--server needs --model <name>');
    const wrong = misplaced(MODEL_ONLY);
    if (wrong.length)
      throw new OxvError('ERR_USAGE', `${wrong.join(', ')} only apply to a model benchmark, not to --server`);
    return;
  }
  if (target === undefined)
    throw new OxvError('ERR_USAGE', 'give a config or a .onnx file to benchmark, or --server URL --model NAME');
  const wrong = misplaced(SERVER_ONLY);
  if (wrong.length) throw new OxvError('ERR_USAGE', `${wrong.join(', ')} only apply with --server`);
}

const ms = (n: number) => (n < 1 ? n.toFixed(3) : n < 100 ? n.toFixed(2) : n.toFixed(1));
const num = (n: number, digits = 1) =>
  n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });

export function renderModelReport(report: ModelBenchmarkReport): string {
  const rows = report.results.map((r) => [
    r.runner,
    r.batch_size,
    ms(r.latency_ms.mean),
    ms(r.latency_ms.p50),
    ms(r.latency_ms.p90),
    ms(r.latency_ms.p95),
    ms(r.latency_ms.p99),
    num(r.throughput_ips),
    num(r.peak_rss_mb, 0),
    num(r.load_ms),
    ms(r.first_inference_ms),
  ]);
  const head = [
    'Runner',
    'Batch',
    'Mean ms',
    'p50 ms',
    'p90 ms',
    'p95 ms',
    'p99 ms',
    'Images/s',
    'Peak RSS MB',
    'Load ms',
    'First ms',
  ];
  const s = report.settings;
  const m = report.machine;
  const lines = [
    `${report.target.model}: ${s.iters !== null ? `${s.iters} inferences` : `${s.duration_s} s`} per window, warmup ${s.warmup}, threads ${s.threads ?? 'runtime default'}`,
    ...(rows.length ? [table(head, rows)] : []),
    ...report.results
      .filter((r) => !r.stable)
      .map(
        (r) =>
          `! ${r.runner} batch ${r.batch_size}: not stable after ${r.windows.length} windows (p50 spread ${r.p50_spread_pct.toFixed(1)}%)`,
      ),
    ...report.skipped.map((k) => `- ${k.runner} skipped: ${k.reason}`),
    ...report.failures.map(
      (f) => `✗ ${f.runner}${f.batch_size !== null ? ` batch ${f.batch_size}` : ''} failed: ${f.message}`,
    ),
    `${m.cpu_model}, ${m.cores} cores, ${m.memory_gb} GB, Node ${m.node}, onnxruntime ${m.onnxruntime.node ?? '–'}` +
      `${m.torch ? `, torch ${m.torch}` : ''}; load average ${m.load_average.join(' ')}`,
  ];
  return lines.join('\n');
}

export function renderServerReport(report: ServerBenchmarkReport): string {
  const rows = report.results.map((r) => [
    r.batch_size,
    r.concurrency,
    r.requests,
    r.errors,
    num(r.throughput_rps),
    num(r.throughput_ips),
    r.latency_ms ? ms(r.latency_ms.p50) : '–',
    r.latency_ms ? ms(r.latency_ms.p90) : '–',
    r.latency_ms ? ms(r.latency_ms.p99) : '–',
    num(r.client_cpu_pct, 0),
  ]);
  const head = [
    'Batch',
    'Clients',
    'Requests',
    'Errors',
    'Infer/s',
    'Images/s',
    'p50 ms',
    'p90 ms',
    'p99 ms',
    'Client CPU %',
  ];
  const inputs = report.inputs.map((i) => `${i.name} ${i.datatype}[${i.shape.join(',')}]`).join(', ');
  const errors = report.results.flatMap((r) => r.error_samples.map((e) => `✗ ${r.concurrency} client(s): ${e}`));
  return [
    `${report.model} at ${report.server} (${report.protocol}; ${inputs}), ${report.settings.duration_s} s per level`,
    table(head, rows),
    ...errors,
  ].join('\n');
}

/**
 * A one-line bar, redrawn in place, only when stderr is a terminal (a log file gets the plain progress
 * lines instead, without the per-window ones).
 */
function progressRenderer(ctx: CommandContext): { onProgress: (e: BenchmarkProgressEvent) => void; done: () => void } {
  const live = process.stderr.isTTY === true && !ctx.flags.quiet && !ctx.flags.jsonLog;
  if (!live) {
    return { onProgress: (e) => (e.stage !== 'window' || ctx.flags.verbose) && ctx.progress(e), done: () => undefined };
  }
  let current = '';
  const write = (text: string) => process.stderr.write(`\r\x1b[2K${text}`);
  return {
    onProgress(e) {
      if (e.stage === 'window' || e.stage === 'batch' || e.stage === 'level') {
        const fraction = e.steps ? (e.step ?? 0) / e.steps : 0;
        const filled = Math.round(fraction * 24);
        const where =
          e.stage === 'window'
            ? `${e.runner} batch ${e.batch_size} window ${e.window}/${e.max_windows} p50 ${ms(e.p50_ms ?? 0)} ms`
            : e.message;
        current = `${'█'.repeat(filled)}${'░'.repeat(24 - filled)} ${e.step ?? 0}/${e.steps ?? 0} ${where}`.slice(
          0,
          (process.stderr.columns || 100) - 1,
        );
        write(current);
        return;
      }
      write('');
      ctx.progress(e);
      if (current) write(current);
    },
    done: () => write(''),
  };
}

export function registerBenchmark(program: Command<[], Record<string, unknown>>): void {
  program
    .command('benchmark')
    .description(
      'Time a model on each runtime and batch size (latency percentiles, images/s, memory), or load-test an inference server',
    )
    .argument(
      '[target]',
      'YAML config (PyTorch, TorchScript and ONNX runners) or a .onnx file (ONNX runners); omit with --server',
    )
    .option(
      '--runners <list>',
      `comma-separated: ${RUNNERS.join(', ')} (default: every one available)`,
      parseList(RUNNERS),
    )
    .option(
      '--batch-sizes <list>',
      'comma-separated batch sizes (default: benchmark.batch_sizes or batch_size)',
      parsePositiveIntList,
    )
    .option(
      '--warmup <n>',
      'untimed inferences before measuring each batch size; with --server, per client per level',
      parseNonNegativeInt,
    )
    .option('--iters <n>', 'timed inferences per measurement window (default: benchmark.iters)', parsePositiveInt)
    .option(
      '--duration <s>',
      'seconds per measurement window instead of --iters; with --server, seconds per level (default 5)',
      parsePositiveNumber,
    )
    .option(
      '--threads <n>',
      'intra-op threads for PyTorch and onnxruntime-node (default: benchmark.threads, else the runtime)',
      parsePositiveInt,
    )
    .option(
      '--input-shape <shape>',
      'full input shape, first dim = batch: 1,3,224,224 or name:1,3,224,224 (repeatable)',
      collectShape,
      [] as ShapeOverride[],
    )
    .addOption(
      new Option(
        '--device <device>',
        'device of the pytorch and torchscript runners (default: benchmark.device)',
      ).choices(['cpu', 'cuda'] as const),
    )
    .option('--max-windows <n>', 'stop after this many windows if p50 has not settled (default 5)', parseWindowCount)
    .option(
      '--stability <pct>',
      'two consecutive windows whose p50 differ by at most this many percent are stable (default 5)',
      parsePositiveNumber,
    )
    .option('--python <path>', 'Python interpreter that imports torch')
    .option('--server <url>', 'load-test an Open Inference Protocol v2 server at this base URL instead')
    .option('--model <name>', 'with --server: the model to load-test')
    .option(
      '--concurrency <list>',
      'with --server: concurrent closed-loop clients per level (default 1,4,16,64)',
      parsePositiveIntList,
    )
    .option('--binary', "with --server: send tensors with Triton's binary tensor extension instead of JSON")
    .option('--json', 'print the report as JSON on stdout')
    .option('--html <file>', 'also write a self-contained HTML report with charts')
    .action(async (target, opts, command) => {
      const ctx = createContext(command);
      const inputShapes = opts.inputShape.length > 0 ? opts.inputShape : undefined;
      checkMode(target, { ...opts, inputShape: undefined });
      const { benchmarkModel, benchmarkServer, renderBenchmarkHtml } = await import('@oxidizedvision/benchmark');
      const progress = progressRenderer(ctx);
      const common = {
        logger: ctx.logger,
        onProgress: progress.onProgress,
        inputShapes,
        batchSizes: opts.batchSizes,
        warmup: opts.warmup,
      };
      let report: ModelBenchmarkReport | ServerBenchmarkReport;
      try {
        report = opts.server
          ? await benchmarkServer({
              ...common,
              url: opts.server,
              model: opts.model!,
              concurrency: opts.concurrency,
              durationS: opts.duration,
              binary: opts.binary,
            })
          : await benchmarkModel(target!, {
              ...common,
              runners: opts.runners,
              iters: opts.iters,
              durationS: opts.duration,
              threads: opts.threads,
              device: opts.device,
              maxWindows: opts.maxWindows,
              stabilityPct: opts.stability,
              python: opts.python,
            });
      } finally {
        progress.done();
      }
      if (opts.html) {
        writeFileSync(resolve(opts.html), renderBenchmarkHtml(report));
        ctx.logger.info(`Wrote ${resolve(opts.html)}`);
      }
      if (opts.json) printJson(report);
      else
        process.stdout.write(`${report.kind === 'server' ? renderServerReport(report) : renderModelReport(report)}\n`);
      if (!report.ok) process.exitCode = 1;
    });
}
