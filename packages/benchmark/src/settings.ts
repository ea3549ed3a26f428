import { OxvError } from '@oxidizedvision/runtime';
import { checkBatchSizes, type InputPlan } from './inputs.js';
import type { BenchmarkTarget } from './target.js';
import type { BenchmarkSettings } from './types.js';

/** What a caller may set; anything left undefined falls back to the config's `benchmark:` section, then defaults. */
export interface SettingsInput {
  batchSizes?: number[] | undefined;
  warmup?: number | undefined;
  iters?: number | undefined;
  /** Seconds per measurement window, instead of iters. */
  durationS?: number | undefined;
  threads?: number | undefined;
  device?: 'cpu' | 'cuda' | undefined;
  maxWindows?: number | undefined;
  stabilityPct?: number | undefined;
}

/** The schema's defaults, for a bare .onnx that has no config. */
const DEFAULTS = { iters: 100, warmup: 10, maxWindows: 5, stabilityPct: 5 };

function check(ok: boolean, name: string, value: unknown, expected: string): void {
  if (!ok) throw new OxvError('ERR_USAGE', `${name} must be ${expected}, got ${JSON.stringify(value)}`);
}

const positiveInt = (v: unknown) => Number.isSafeInteger(v) && (v as number) >= 1;

/** Flags over the config's `benchmark:` section over defaults; batch sizes also as the inputs allow. */
export function resolveSettings(
  input: SettingsInput,
  target: BenchmarkTarget,
  inputs: InputPlan,
): Readonly<BenchmarkSettings> {
  const section = target.kind === 'config' ? target.config.benchmark : undefined;
  if (input.iters !== undefined && input.durationS !== undefined) {
    throw new OxvError('ERR_USAGE', 'give either iterations or a duration per window, not both');
  }
  const configBatches = section ? (section.batch_sizes ?? [section.batch_size]) : undefined;
  const batch_sizes = [...new Set(input.batchSizes ?? inputs.impliedBatchSizes ?? configBatches ?? [1])].sort(
    (a, b) => a - b,
  );
  const settings: BenchmarkSettings = {
    batch_sizes,
    warmup: input.warmup ?? section?.warmup_iters ?? DEFAULTS.warmup,
    iters: input.durationS !== undefined ? null : (input.iters ?? section?.iters ?? DEFAULTS.iters),
    duration_s: input.durationS ?? null,
    threads: input.threads ?? section?.threads ?? null,
    device: input.device ?? section?.device ?? 'cpu',
    max_windows: input.maxWindows ?? DEFAULTS.maxWindows,
    stability_pct: input.stabilityPct ?? DEFAULTS.stabilityPct,
  };
  check(batch_sizes.length > 0 && batch_sizes.every(positiveInt), 'batch sizes', batch_sizes, 'positive integers');
  check(Number.isSafeInteger(settings.warmup) && settings.warmup >= 0, 'warmup', settings.warmup, 'an integer ≥ 0');
  check(settings.iters === null || positiveInt(settings.iters), 'iters', settings.iters, 'a positive integer');
  const d = settings.duration_s;
  check(d === null || (Number.isFinite(d) && d > 0), 'duration', d, 'a number of seconds > 0');
  check(settings.threads === null || positiveInt(settings.threads), 'threads', settings.threads, 'a positive integer');
  check(
    Number.isSafeInteger(settings.max_windows) && settings.max_windows >= 2,
    'max windows',
    settings.max_windows,
    'an integer ≥ 2',
  );
  const s = settings.stability_pct;
  check(Number.isFinite(s) && s > 0, 'stability', s, 'a percentage > 0');
  checkBatchSizes(inputs.templates, batch_sizes, target.onnx);
  Object.freeze(settings.batch_sizes);
  return Object.freeze(settings);
}
