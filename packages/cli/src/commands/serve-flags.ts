// Flag parsing and checks for `serve`, kept apart from the command's lifecycle code.
import { InvalidArgumentError } from 'commander';
import { OxvError } from '@oxidizedvision/runtime';
import { parseNonNegativeNumber } from '../options.js';

/** Drops unset flags, so the defaults they would otherwise overwrite with undefined stay. */
export function defined<T extends object>(value: T): { [K in keyof T]?: Exclude<T[K], undefined> } {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as never;
}

export function parsePort(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535)
    throw new InvalidArgumentError(`expected a port 0-65535, got "${value}"`);
  return n;
}

export function parsePositiveNumber(value: string): number {
  const n = parseNonNegativeNumber(value);
  if (n === 0) throw new InvalidArgumentError(`expected a number > 0, got "${value}"`);
  return n;
}

const UNITS: Record<string, number> = { '': 1, b: 1, kb: 1024, mb: 1024 ** 2, gb: 1024 ** 3 };

/** `67108864`, `64mb`, `512KB`: binary units, as body limits usually are. */
export function parseSize(value: string): number {
  const match = /^(\d+(?:\.\d+)?)\s*([kmg]?b?)$/i.exec(value.trim());
  const bytes = match ? Math.floor(Number(match[1]) * UNITS[match[2]!.toLowerCase()]!) : NaN;
  if (!Number.isSafeInteger(bytes) || bytes < 1)
    throw new InvalidArgumentError(`expected a size such as 64mb or 1048576, got "${value}"`);
  return bytes;
}

export interface ServeFlags {
  model: string[];
  modelRepository?: string;
  modelControlMode?: 'none' | 'poll' | 'explicit';
  repositoryPollSecs?: number;
  maxBatchSize?: number;
  maxWaitMs?: number;
  maxQueueDelayMs?: number;
  maxQueueSize?: number;
  timeoutMs?: number;
  instances?: number;
  threads?: number;
  workerNice?: number;
  ui?: string | boolean;
}

/** Combinations commander cannot check on its own. */
export function checkFlags(opts: ServeFlags): void {
  if (opts.maxWaitMs !== undefined && opts.maxQueueDelayMs !== undefined && opts.maxWaitMs !== opts.maxQueueDelayMs) {
    throw new OxvError('ERR_USAGE', '--max-wait-ms and --max-queue-delay-ms are the same setting; give one');
  }
  if (opts.model.length === 0 && !opts.modelRepository) {
    throw new OxvError(
      'ERR_USAGE',
      'nothing to serve: give --model name=path.onnx (repeatable) or --model-repository DIR',
    );
  }
  if (!opts.modelRepository && (opts.modelControlMode || opts.repositoryPollSecs !== undefined)) {
    throw new OxvError('ERR_USAGE', '--model-control-mode and --repository-poll-secs need --model-repository');
  }
}
