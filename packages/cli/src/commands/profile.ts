import type { Command } from '@commander-js/extra-typings';
import type { ProfileReport } from '@oxidizedvision/tools';
import { addOptions, dimOptions, parseNonNegativeInt, parsePositiveInt } from '../options.js';
import { formatBytes, formatCount, printJson, table } from '../output/format.js';
import { createContext } from '../context.js';

const macs = (n: number | null): string => {
  if (n === null) return '?';
  if (n >= 1e9) return `${(n / 1e9).toFixed(2)} G`;
  if (n >= 1e6) return `${(n / 1e6).toFixed(2)} M`;
  if (n >= 1e3) return `${(n / 1e3).toFixed(1)} K`;
  return String(n);
};
const dims = (shape: readonly (number | string | null)[] | null): string =>
  shape === null ? '?' : `[${shape.map((d) => (d === null ? '?' : String(d))).join(', ')}]`;
const pct = (part: number, whole: number): string => (whole > 0 ? `${((100 * part) / whole).toFixed(1)}%` : '-');

export function renderProfile(report: ProfileReport, top: number): string {
  const p = report.parameters;
  const lines = [
    `${report.model}`,
    `  producer ${report.producer.name} ${report.producer.version}, IR ${report.ir_version}, opset ${report.opset ?? '?'}` +
      (Object.keys(report.opsets).length > 1
        ? ` (${Object.entries(report.opsets)
            .map(([d, v]) => `${d} ${v}`)
            .join(', ')})`
        : ''),
    ...report.inputs.map((i) => `  input  ${i.name}: ${i.dtype} ${dims(i.shape)}`),
    ...report.outputs.map((o) => `  output ${o.name}: ${o.dtype} ${dims(o.shape)}`),
    `  parameters ${formatCount(p.total)} (${Object.entries(p.by_dtype)
      .map(([k, v]) => `${k} ${formatCount(v)}`)
      .join(', ')})` + (p.pytorch ? `; PyTorch counted ${formatCount(p.pytorch.total)}` : ''),
    `  size on disk ${formatBytes(report.size.disk_bytes)}` +
      (report.size.external_bytes
        ? ` (${formatBytes(report.size.external_bytes)} in ${report.size.external_files.join(', ')})`
        : '') +
      `; weights in memory ${
        Object.entries(report.size.weights_bytes_by_dtype)
          .map(([k, v]) => `${k} ${formatBytes(v)}`)
          .join(', ') || '0 B'
      }`,
    `  MACs ${macs(report.macs)}${
      Object.keys(report.dims).length
        ? ` at ${Object.entries(report.dims)
            .map(([k, v]) => `${k}=${v}`)
            .join(', ')}`
        : ''
    }` + (report.unknown_macs_layers ? ` (${report.unknown_macs_layers} layer(s) of unknown shape not counted)` : ''),
    '',
    table(
      ['Layer', 'Op', 'Output shape', 'Params', 'MACs', '% MACs'],
      [
        ...report.layers.map((l) => [
          l.name,
          l.op_type,
          dims(l.output_shape),
          formatCount(l.parameters),
          macs(l.macs),
          pct(l.macs ?? 0, report.macs),
        ]),
        ['Total', `${report.layers.length} nodes`, '', formatCount(p.total), macs(report.macs), '100%'],
      ],
    ),
    table(
      ['Op type', 'Count', 'Params', 'MACs', '% MACs'],
      report.by_op_type.map((o) => [
        o.op_type,
        o.count,
        formatCount(o.parameters),
        macs(o.macs),
        pct(o.macs, report.macs),
      ]),
    ),
  ];
  const m = report.measured;
  if (m) {
    lines.push(
      '',
      `Measured with onnxruntime-node's profiler: ${m.runs} runs after ${m.warmup} warm-up, mean run ${m.run_ms.toFixed(3)} ms, kernels ${m.kernel_ms.toFixed(3)} ms.`,
      'Nodes are those onnxruntime executed, after its fusions (Conv+Relu → FusedConv, NCHWc reorders).',
      table(
        ['Node', 'Op', 'Mean ms', '% time'],
        m.layers.slice(0, top).map((l) => [l.name, l.op_type, l.avg_ms.toFixed(4), `${l.percent.toFixed(1)}%`]),
      ),
      table(
        ['Op type', 'Count', 'Mean ms', '% time'],
        m.by_op_type.map((o) => [o.op_type, o.count, o.avg_ms.toFixed(4), `${o.percent.toFixed(1)}%`]),
      ),
    );
  }
  return lines.join('\n');
}

export function registerProfile(program: Command<[], Record<string, unknown>>): void {
  const profile = program
    .command('profile')
    .description('Parameters, sizes, per-layer shapes and MACs of a model; --measure adds real per-node time')
    .argument('<target>', 'a config (its converted model) or a .onnx file');
  addOptions(profile, dimOptions())
    .option('--measure', "time every node with onnxruntime-node's profiler")
    .option('--runs <n>', 'measured runs to average (default 20)', parsePositiveInt)
    .option('--warmup <n>', 'runs before measuring (default 3)', parseNonNegativeInt)
    .option('--threads <n>', 'intra-op threads for --measure (default: onnxruntime)', parsePositiveInt)
    .option('--top <n>', 'measured nodes to list in the table (default 20)', parsePositiveInt)
    .option('--html <file>', 'also write a self-contained HTML report with charts')
    .option('--json', 'print the report as JSON on stdout')
    .action(async (target, opts, command) => {
      const ctx = createContext(command);
      const { profileModel, writeProfileHtml } = await import('@oxidizedvision/tools');
      const report = await profileModel(target, {
        dims: opts.dim,
        measure: opts.measure ?? false,
        runs: opts.runs,
        warmup: opts.warmup,
        threads: opts.threads,
        logger: ctx.logger,
        onProgress: ctx.progress,
      });
      if (opts.html) {
        writeProfileHtml(opts.html, report);
        ctx.logger.info(`wrote ${opts.html}`);
      }
      if (opts.json) printJson(report);
      else process.stdout.write(`${renderProfile(report, opts.top ?? 20)}\n`);
    });
}
