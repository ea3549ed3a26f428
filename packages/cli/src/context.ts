import type { Logger, ProgressListener } from '@oxidizedvision/tools';
import { createCliLogger, progressPrinter } from './output/logger.js';
import type { GlobalFlags } from './options.js';

export interface CommandContext {
  flags: GlobalFlags;
  logger: Logger;
  progress: ProgressListener;
}

/** Logging is configured once, here, from the flags (the original configured it at import and ignored them). */
export function createContext(command: { optsWithGlobals(): unknown }): CommandContext {
  const flags = command.optsWithGlobals() as GlobalFlags;
  const logger = createCliLogger(flags);
  return { flags, logger, progress: progressPrinter(logger, flags) };
}
