/**
 * Libraries never print: they log through this pino-compatible interface (the CLI passes a pino logger,
 * tests pass nothing) and report progress through an optional callback the CLI renders on stderr.
 */
export interface Logger {
  debug(obj: object | string, msg?: string): void;
  info(obj: object | string, msg?: string): void;
  warn(obj: object | string, msg?: string): void;
  error(obj: object | string, msg?: string): void;
}

export type ProgressListener = (event: { stage: string; message: string }) => void;

const noop = (): void => undefined;
export const silentLogger: Logger = { debug: noop, info: noop, warn: noop, error: noop };

export interface LibraryOptions {
  logger?: Logger;
  onProgress?: ProgressListener;
}
