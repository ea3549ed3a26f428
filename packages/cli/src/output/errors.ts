import { isOxvError, type ErrorCode } from '@oxidizedvision/runtime';
import { CommanderError } from 'commander';
import type { Logger } from '@oxidizedvision/tools';

const USAGE_CODES: ReadonlySet<ErrorCode> = new Set<ErrorCode>([
  'ERR_USAGE',
  'ERR_CONFIG_INVALID',
  'ERR_CONFIG_PARSE',
  // Options the CLI built from flags that passed the flag parsers but not the library's own rules.
  'ERR_OPTIONS_INVALID',
]);

/** Usage errors (bad flags, bad config, options built from flags) exit 2; everything else that fails exits 1. */
export function exitCodeFor(code: ErrorCode): 1 | 2 {
  return USAGE_CODES.has(code) ? 2 : 1;
}

/**
 * One clear message for the user; the stack only with --verbose. Returns the exit code: 2 for usage and
 * config errors, 1 for everything else (including unexpected bugs, which also say how to report them).
 */
export function reportError(err: unknown, logger: Logger, verbose: boolean, json: boolean): number {
  if (err instanceof CommanderError) return err.exitCode === 0 ? 0 : 2;
  const oxv = isOxvError(err) ? err : undefined;
  const message = err instanceof Error ? err.message : String(err);
  if (json) {
    process.stdout.write(
      `${JSON.stringify({ error: { code: oxv?.code ?? 'ERR_INTERNAL', message, ...(oxv?.hint ? { hint: oxv.hint } : {}), ...(oxv?.details ? { details: oxv.details } : {}) } })}\n`,
    );
  }
  logger.error(oxv ? `${message}` : `unexpected error: ${message}`);
  if (oxv?.hint) logger.info(`hint: ${oxv.hint}`);
  if (verbose && err instanceof Error && err.stack) {
    process.stderr.write(`${err.stack}\n`);
    if (err.cause instanceof Error && err.cause.stack) process.stderr.write(`caused by: ${err.cause.stack}\n`);
  } else if (!oxv) {
    logger.error('This is a bug in OxidizedVision; re-run with --verbose and report the stack trace.');
  }
  return oxv ? exitCodeFor(oxv.code) : 1;
}
