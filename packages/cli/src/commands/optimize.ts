import { Option, type Command } from '@commander-js/extra-typings';
import type { OptimizeReport } from '@oxidizedvision/tools';
import { addOptions, dimOptions, parseCosine, parseNonNegativeInt, parseOpList, parsePositiveInt } from '../options.js';
import { formatBytes, printJson, table } from '../output/format.js';
import { createContext } from '../context.js';

/** Kept here so --help does not load the tools package. */
const QUANTIZE = ['fp16', 'int8', 'int8-dynamic'] as const;
const LEVELS = ['basic', 'extended', 'all'] as const;
const METHODS = ['minmax', 'percentile'] as const;

export function renderOptimize(r: OptimizeReport): string {
  const lines = [`${r.input} → ${r.output}`, ...r.steps.map((s) => `  • ${s}`)];
  lines.push(
    table(
      ['', 'fp32 (input)', r.quantize ?? 'optimized', 'Change'],
      [
        ['Size', formatBytes(r.size.before_bytes), formatBytes(r.size.after_bytes), `${r.size.ratio.toFixed(3)}×`],
        [
          'Latency (median)',
          `${r.speed.before_ms.toFixed(2)} ms`,
          `${r.speed.after_ms.toFixed(2)} ms`,
          `${r.speed.speedup.toFixed(2)}× faster (p10–p90 ${r.speed.speedup_p10.toFixed(2)}–${r.speed.speedup_p90.toFixed(2)})`,
        ],
      ],
    ),
    table(
      ['Output', 'Cosine', 'Max abs error', 'MAE', 'PSNR'],
      r.accuracy.map((a) => [
        a.output,
        a.cosine.toFixed(6),
        a.max_abs_error.toExponential(2),
        a.mae.toExponential(2),
        a.psnr_db === null ? '-' : `${a.psnr_db.toFixed(2)} dB`,
      ]),
    ),
  );
  if (r.detections) {
    const d = r.detections;
    lines.push(
      `detections (score ≥ ${d.threshold}): ${d.reference} from fp32, ${d.optimized} from ${r.quantize ?? 'optimized'}, ${d.matched} of fp32's found again (same label, IoU ≥ 0.5)`,
    );
  }
  if (r.int8) {
    const fused = Object.entries(r.int8.executed_ops)
      .map(([op, n]) => `${op} ${n}`)
      .join(', ');
    lines.push(
      `int8: ${r.int8.quantized_nodes} nodes quantized, calibrated on ${r.int8.calibration.samples} ${r.int8.calibration.source} sample(s) (${r.int8.calibration.method})`,
    );
    lines.push(`onnxruntime runs: ${fused}`);
    for (const k of r.int8.kept_float) lines.push(`  kept float: ${k.name} (${k.op_type}): ${k.reason}`);
  }
  if (r.fp16?.blocked.length)
    lines.push(`fp16: kept float32: ${r.fp16.blocked.map((b) => `${b.name} (${b.op_type})`).join(', ')}`);
  lines.push(
    `Speed: ${r.speed.runs} interleaved runs each on onnxruntime-node${r.speed.threads ? ` (${r.speed.threads} threads)` : ''}; accuracy against the fp32 input model, worst case.`,
  );
  if (r.registered)
    lines.push(
      `✓ registered ${r.registered.name} version ${r.registered.version} (from version ${r.registered.parent_version})`,
    );
  lines.push(`✓ wrote ${r.output}${r.card ? ` and ${r.card}` : ''}`);
  return lines.join('\n');
}

export function registerOptimize(program: Command<[], Record<string, unknown>>): void {
  const optimize = program
    .command('optimize')
    .description(
      "Optimize a model with onnxruntime's offline optimizer; optionally quantize to fp16 or int8, measured against fp32",
    )
    .argument('<model>', 'a .onnx file, or a config (its converted model, and its optimize: section as defaults)')
    .requiredOption('-o, --output <file>', 'where to write the optimized .onnx')
    .addOption(
      new Option('--level <level>', 'onnxruntime optimization level (default basic: portable)').choices(LEVELS),
    )
    .addOption(
      new Option('--quantize <mode>', 'fp16, int8 (static QDQ) or int8-dynamic (weights only)').choices(QUANTIZE),
    )
    .option(
      '--keep-fp32 <ops>',
      'fp16: op types kept in float32, comma-separated (added to the default list)',
      parseOpList,
    )
    .option('--no-fallback', 'fp16: do not move nodes whose fp16 output drifts back to float32')
    .option(
      '--calibrate <dir>',
      'int8: calibration images, preprocessed as the model card says (default: seeded random inputs)',
    )
    .addOption(
      new Option(
        '--calibration-method <method>',
        'int8: activation ranges from min/max or the 99.999th percentile',
      ).choices(METHODS),
    )
    .option(
      '--calibration-samples <n>',
      'int8: images (at most) or random inputs to calibrate on (default 16)',
      parsePositiveInt,
    )
    .option(
      '--min-cosine <x>',
      'reject (exit 1, nothing written) when an output cosine to fp32 is below this',
      parseCosine,
    )
    .option('--runs <n>', 'timed runs of each model, interleaved (default 30)', parsePositiveInt)
    .option('--threads <n>', 'intra-op threads for calibration and timing (default: onnxruntime)', parsePositiveInt)
    .option('--seed <n>', 'seed of the random inputs (default 0)', parseNonNegativeInt);
  addOptions(optimize, dimOptions())
    .option('--no-register', 'do not register the result, even when the input is a registered model')
    .option('--json', 'print the report as JSON on stdout')
    .action(async (model, opts, command) => {
      const ctx = createContext(command);
      const { optimizeModel, loadConfig } = await import('@oxidizedvision/tools');
      const config = /\.ya?ml$/i.test(model) ? loadConfig(model) : undefined;
      const defaults = config?.optimize;
      const report = await optimizeModel(model, {
        output: opts.output,
        level: opts.level,
        quantize: opts.quantize ?? defaults?.quantize ?? null,
        keepFp32: opts.keepFp32,
        autoFallback: opts.fallback,
        calibrate: opts.calibrate ?? defaults?.calibrate,
        calibrationMethod: opts.calibrationMethod,
        calibrationSamples: opts.calibrationSamples,
        minCosine: opts.minCosine ?? defaults?.min_cosine,
        speedRuns: opts.runs,
        threads: opts.threads,
        seed: opts.seed,
        dims: opts.dim,
        register: opts.register,
        logger: ctx.logger,
        onProgress: ctx.progress,
      });
      if (opts.json) printJson(report);
      else process.stdout.write(`${renderOptimize(report)}\n`);
    });
}
