import { pino, destination } from 'pino';
import type { Logger, ProgressListener } from '@oxidizedvision/tools';

export interface LogFlags {
  verbose?: boolean;
  quiet?: boolean;
  jsonLog?: boolean;
}

function humanLine(level: string, obj: object | string, msg?: string): string {
  const text = typeof obj === 'string' ? obj : (msg ?? '');
  const prefix = level === 'warn' ? 'warning: ' : level === 'error' ? 'error: ' : level === 'debug' ? 'debug: ' : '';
  const extra =
    typeof obj === 'object' && obj !== null && level === 'debug' && Object.keys(obj).length
      ? ` ${JSON.stringify(obj, replacer)}`
      : '';
  return `${prefix}${text}${extra}\n`;
}

function replacer(_key: string, value: unknown): unknown {
  return value instanceof Error ? { message: value.message, code: (value as { code?: string }).code } : value;
}

/**
 * Everything diagnostic goes to stderr so stdout stays clean for results and --json. --json-log turns
 * every line into pino JSON; --quiet keeps only warnings and errors; --verbose adds debug lines.
 */
export function createCliLogger(flags: LogFlags): Logger {
  const level = flags.verbose ? 'debug' : flags.quiet ? 'warn' : 'info';
  if (flags.jsonLog) return pino({ level, base: { pid: process.pid } }, destination({ fd: 2, sync: true }));
  const rank = { debug: 10, info: 20, warn: 30, error: 40 } as const;
  const write = (lvl: keyof typeof rank) => (obj: object | string, msg?: string) => {
    if (rank[lvl] >= rank[level]) process.stderr.write(humanLine(lvl, obj, msg));
  };
  return { debug: write('debug'), info: write('info'), warn: write('warn'), error: write('error') };
}

/** Progress events become info lines: "› Exporting ONNX" for people, {stage, msg} objects in JSON logs. */
export function progressPrinter(logger: Logger, flags: LogFlags): ProgressListener {
  return ({ stage, message }) => {
    if (flags.jsonLog) logger.info({ stage }, message);
    else logger.info(`› ${message}`);
  };
}
