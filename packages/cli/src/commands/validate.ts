import type { Command } from '@commander-js/extra-typings';
import type { ValidationReport } from '@oxidizedvision/tools';
import { parseCosine, parseList, parseNonNegativeInt, parseNonNegativeNumber, parsePositiveInt } from '../options.js';
import { printJson, table } from '../output/format.js';
import { createContext } from '../context.js';

const TARGETS = ['torchscript', 'onnxruntime-node', 'onnxruntime-web'] as const;

function fmt(n: number, digits: number, exp = true): string {
  if (Number.isNaN(n)) return 'NaN';
  return exp ? n.toExponential(digits) : n.toFixed(digits);
}

export function renderReport(report: ValidationReport): string {
  const rows = report.comparisons.map((c) => [
    `pytorch vs ${c.target}${c.inputs === 'images' ? ' (images)' : ''}`,
    c.output,
    fmt(c.mae, 2),
    fmt(c.rmse, 2),
    fmt(c.max_abs_error, 2),
    `${fmt(c.relative_mae, 1)} / ${fmt(c.relative_max_error, 1)}`,
    fmt(c.cosine_similarity, 7, false),
    c.passed ? 'PASS' : 'FAIL',
  ]);
  const tol = report.tolerances;
  const images = report.comparisons.find((c) => c.inputs === 'images');
  const lines = [
    table(['Comparison', 'Output', 'MAE', 'RMSE', 'Max abs error', 'Relative (MAE / max)', 'Cosine', 'Status'], rows),
    `${report.num_tests} seeded input(s) (seed ${report.seed})${images ? ` and ${images.tests} image(s)` : ''}; worst case shown. Tolerances: MAE ≤ ${tol.mae}, cosine ≥ ${tol.cosine}` +
      (tol.max_abs !== undefined ? `, max abs ≤ ${tol.max_abs}` : ''),
  ];
  for (const f of report.failures) lines.push(`✗ ${f.target} could not run: ${f.message}`);
  for (const c of report.comparisons.filter((x) => !x.passed))
    lines.push(`✗ ${c.target} output "${c.output}": ${c.reason}`);
  const mark = report.allow_degenerate ? '!' : '✗';
  for (const d of report.degenerate) {
    lines.push(
      `${mark} PyTorch's output "${d.output}"${d.inputs === 'images' ? ' on the images' : ''} is ${d.reason}: a match on it proves nothing` +
        (report.allow_degenerate
          ? ' (accepted: --allow-degenerate)'
          : ' (convert with --randomize-weights for non-degenerate weights, or pass --allow-degenerate to accept it)'),
    );
  }
  lines.push(
    report.passed
      ? `✓ ${report.model}: every runtime matches PyTorch within tolerance`
      : `✗ ${report.model}: validation failed`,
  );
  return lines.join('\n');
}

export function registerValidate(program: Command<[], Record<string, unknown>>): void {
  program
    .command('validate')
    .description(
      'Compare PyTorch (with the exported weights) against TorchScript, onnxruntime-node and onnxruntime-web',
    )
    .argument('<config>', 'YAML config file (convert it first)')
    .option('--num-tests <n>', 'seeded random inputs to compare (default: validation.num_tests)', parsePositiveInt)
    .option('--seed <n>', 'seed of the random inputs (default: validation.seed)', parseNonNegativeInt)
    .option(
      '--tolerance-mae <x>',
      'largest MAE that passes (default: validation.tolerance_mae)',
      parseNonNegativeNumber,
    )
    .option(
      '--tolerance-cos-sim <x>',
      'smallest cosine similarity that passes (default: validation.tolerance_cos_sim)',
      parseCosine,
    )
    .option(
      '--tolerance-max-abs <x>',
      'largest max abs error that passes (default: validation.tolerance_max_abs, off)',
      parseNonNegativeNumber,
    )
    .option(
      '--targets <list>',
      `comma-separated: ${TARGETS.join(', ')} (default: the config's runners)`,
      parseList(TARGETS),
    )
    .option('--images <dir>', "also compare on the images in this folder, through the model card's preprocessing")
    .option(
      '--allow-degenerate',
      'accept a PyTorch output that is constant, all zero or negligible (default: validation.allow_degenerate)',
    )
    .option('--python <path>', 'Python interpreter that imports torch')
    .option('--json', 'print the report as JSON on stdout')
    .action(async (configPath, opts, command) => {
      const ctx = createContext(command);
      const { loadConfig, validateModel } = await import('@oxidizedvision/tools');
      const config = loadConfig(configPath);
      // Flags override the config only when given: undefined falls through to the config's value.
      const report = await validateModel(config, {
        python: opts.python,
        targets: opts.targets,
        numTests: opts.numTests,
        seed: opts.seed,
        images: opts.images,
        allowDegenerate: opts.allowDegenerate,
        tolerances: { mae: opts.toleranceMae, cosine: opts.toleranceCosSim, max_abs: opts.toleranceMaxAbs },
        logger: ctx.logger,
        onProgress: ctx.progress,
      });
      if (opts.json) printJson(report);
      else process.stdout.write(`${renderReport(report)}\n`);
      if (!report.passed) process.exitCode = 1;
    });
}
