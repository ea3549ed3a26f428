import { InvalidArgumentError } from 'commander';
import type { LogFlags } from './output/logger.js';

/** Flags every command accepts (declared on the program, read with optsWithGlobals()). */
export interface GlobalFlags extends LogFlags {
  verbose?: boolean;
  quiet?: boolean;
  jsonLog?: boolean;
}

export function parsePositiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n < 1) throw new InvalidArgumentError(`expected a positive integer, got "${value}"`);
  return n;
}

export function parseNonNegativeInt(value: string): number {
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n < 0)
    throw new InvalidArgumentError(`expected a non-negative integer, got "${value}"`);
  return n;
}

export function parseNonNegativeNumber(value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n < 0)
    throw new InvalidArgumentError(`expected a number ≥ 0, got "${value}"`);
  return n;
}

export function parseCosine(value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n < -1 || n > 1) {
    throw new InvalidArgumentError(`expected a cosine similarity between -1 and 1, got "${value}"`);
  }
  return n;
}

export function parseList<T extends string>(allowed: readonly T[]) {
  return (value: string): T[] => {
    const items = value
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
    const bad = items.filter((item) => !allowed.includes(item as T));
    if (items.length === 0 || bad.length > 0) {
      throw new InvalidArgumentError(`expected a comma-separated list of ${allowed.join(', ')}; got "${value}"`);
    }
    return items as T[];
  };
}
