import { readFileSync } from 'node:fs';
import { Command } from '@commander-js/extra-typings';
import { registerConvert } from './commands/convert.js';
import { registerValidate } from './commands/validate.js';
import { registerRegistryCommands } from './commands/registry.js';
import { registerConfigSchema } from './commands/config-schema.js';
import { registerServe } from './commands/serve.js';
import { registerBenchmark } from './commands/benchmark.js';
import { registerProfile } from './commands/profile.js';
import { registerOptimize } from './commands/optimize.js';
import { registerRun } from './commands/run.js';
import { registerPackage } from './commands/package.js';
import { createCliLogger } from './output/logger.js';
import { reportError } from './output/errors.js';
import type { GlobalFlags } from './options.js';

const VERSION = (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string })
  .version;

export function createProgram(): Command<[], Record<string, unknown>> {
  const program = new Command()
    .name('oxidizedvision')
    .description('Take a trained PyTorch vision model to fast, validated ONNX inference from TypeScript.')
    .version(VERSION, '-V, --version')
    .option('-v, --verbose', 'debug logging, and stack traces on errors')
    .option('-q, --quiet', 'only warnings and errors on stderr')
    .option('--json-log', 'log as JSON lines (pino) on stderr')
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride() as unknown as Command<[], Record<string, unknown>>;
  program.configureOutput({ writeErr: (s) => process.stderr.write(s) });
  registerConvert(program);
  registerValidate(program);
  registerRegistryCommands(program);
  registerConfigSchema(program);
  registerServe(program);
  registerBenchmark(program);
  registerProfile(program);
  registerOptimize(program);
  registerRun(program);
  registerPackage(program);
  for (const sub of program.commands) sub.exitOverride();
  return program;
}

/** Runs the CLI; sets process.exitCode instead of exiting so pending output and handles finish. */
export async function main(argv: string[]): Promise<void> {
  const program = createProgram();
  try {
    await program.parseAsync(argv);
  } catch (err) {
    const flags = program.opts() as GlobalFlags;
    const json = argv.includes('--json');
    process.exitCode = reportError(err, createCliLogger(flags), Boolean(flags.verbose), json);
  }
}
