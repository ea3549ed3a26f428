import { OxvError } from '@oxidizedvision/runtime';
import { didYouMean } from '../../internal/did-you-mean.js';

export const BUSY_TIMEOUT_MS = 5000;

export function modelNotFound(name: string, dbPath: string, knownNames: readonly string[]): OxvError {
  const suggestion = didYouMean(name, knownNames);
  const guess = suggestion === undefined ? '' : `. Did you mean "${suggestion}"?`;
  return new OxvError('ERR_MODEL_NOT_FOUND', `No model named "${name}" in the registry at ${dbPath}${guess}`, {
    hint: 'Run "oxidizedvision list" to see registered models',
    details: { name, file: dbPath, ...(suggestion === undefined ? {} : { suggestion }) },
  });
}

export function versionNotFound(name: string, version: number, existing: readonly number[], dbPath: string): OxvError {
  return new OxvError(
    'ERR_MODEL_NOT_FOUND',
    `Model "${name}" has no version ${version} in the registry at ${dbPath} (versions: ${existing.join(', ')})`,
    {
      hint: `Run "oxidizedvision info ${name}" to see its versions`,
      details: { name, version, versions: [...existing], file: dbPath },
    },
  );
}

export function readonlyRegistry(dbPath: string): OxvError {
  return new OxvError('ERR_REGISTRY', `The registry at ${dbPath} was opened read-only`, { details: { file: dbPath } });
}

function describe(error: unknown, dbPath: string): { message: string; hint?: string } {
  const code = (error as { code?: unknown } | null)?.code;
  const reason = error instanceof Error ? error.message : String(error);
  if (code === 'SQLITE_NOTADB' || code === 'SQLITE_CORRUPT') {
    return {
      message: `The registry file ${dbPath} is not a valid SQLite database (${reason})`,
      hint: 'Move the file aside (the next convert creates a fresh registry) or restore it from a backup',
    };
  }
  if (code === 'SQLITE_BUSY' || code === 'SQLITE_LOCKED') {
    return {
      message: `The registry at ${dbPath} stayed locked by another process for more than ${BUSY_TIMEOUT_MS / 1000} s`,
      hint: 'Retry when the other oxidizedvision command has finished',
    };
  }
  return { message: `Registry operation failed on ${dbPath}: ${reason}` };
}

/**
 * Turns SQLite and file-system failures into ERR_REGISTRY naming the file, so the CLI prints one line
 * instead of a stack. Our own errors and argument errors (TypeError/RangeError) pass through.
 */
export function toRegistryError(error: unknown, dbPath: string): Error {
  if (error instanceof OxvError || error instanceof TypeError || error instanceof RangeError) return error;
  const { message, hint } = describe(error, dbPath);
  return new OxvError('ERR_REGISTRY', message, {
    cause: error,
    details: { file: dbPath },
    ...(hint === undefined ? {} : { hint }),
  });
}
