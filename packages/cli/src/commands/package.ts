import { Option, type Command } from '@commander-js/extra-typings';
import type { PackageResult } from '@oxidizedvision/tools';
import {
  addOptions,
  collectList,
  parseNonNegativeInt,
  parseNonNegativeNumber,
  parsePositiveInt,
  parseServicePort,
  registryOptions,
} from '../options.js';
import { formatBytes, printJson } from '../output/format.js';
import { createContext } from '../context.js';

// Kept here so --help does not load the tools package.
const TARGETS = ['docker', 'kubernetes', 'kserve', 'triton'] as const;

function render(result: PackageResult): string {
  const models = result.models.map((m) => `${m.name} (peak ${formatBytes(m.memory_bytes)})`).join(', ');
  const targets = result.targets.length ? `; targets: ${result.targets.join(', ')}` : '';
  const start =
    result.template === 'server' ? 'npm install && npm start' : 'npm install && node run.mjs <images> -o <out>';
  return `✓ ${result.template} bundle "${result.name}" in ${result.dir}: ${models}${targets}\n  ${result.files.length} files; run it: cd ${result.dir} && ${start}\n`;
}

export function registerPackage(program: Command<[], Record<string, unknown>>): void {
  const command = program
    .command('package')
    .description('Bundle models into a deployable service: Node server or CLI, Docker, Kubernetes, KServe, Triton')
    .argument(
      '<model...>',
      'registry name[:version], a YAML config, or an .onnx file (a card beside it is optional); several allowed',
    )
    .requiredOption('-o, --out <dir>', 'output folder (new or empty; see --overwrite)')
    .addOption(
      new Option('--template <template>', 'server: HTTP service; cli: image command')
        .choices(['server', 'cli'] as const)
        .default('server' as const),
    )
    .option(
      '--target <target>',
      `also write deployment files: ${TARGETS.join(', ')} (comma-separated or repeated)`,
      collectList(TARGETS),
    )
    .option('--name <name>', "service name (Kubernetes objects, image, package.json; default: the first model's)")
    .option('--image <ref>', 'container image the manifests run (default: <name>:latest)')
    .option('--port <port>', 'port the service listens on (default 8080)', parseServicePort)
    .option(
      '--max-batch-size <n>',
      'dynamic batching in config.json and Triton, 0 = none (default 8)',
      parseNonNegativeInt,
    )
    .option('--max-queue-delay-ms <ms>', 'how long a request may wait for a batch (default 2)', parseNonNegativeNumber)
    .option(
      '--drain-timeout <s>',
      'seconds SIGTERM waits for running requests; grace period is this + 5 (default 30)',
      parsePositiveInt,
    )
    .option('--overwrite', 'replace a non-empty --out folder');
  addOptions(command, registryOptions())
    .option('--json', 'print the result (files, measured memory) as JSON on stdout')
    .action(async (models, opts, command) => {
      const ctx = createContext(command);
      const { packageModels } = await import('@oxidizedvision/tools');
      const result = await packageModels(models, {
        out: opts.out,
        template: opts.template,
        targets: opts.target,
        name: opts.name,
        image: opts.image,
        port: opts.port,
        maxBatchSize: opts.maxBatchSize,
        maxQueueDelayMs: opts.maxQueueDelayMs,
        drainTimeoutSecs: opts.drainTimeout,
        overwrite: opts.overwrite,
        registryHome: opts.registry,
        logger: ctx.logger,
        onProgress: ctx.progress,
      });
      if (opts.json) printJson(result);
      else process.stdout.write(render(result));
    });
}
