/**
 * Every flag parser of the CLI, and the shared groups of options several commands add. A parser that
 * refuses a value throws commander's InvalidArgumentError, which the CLI prints as one line and exits 2
 * with; each message says what was expected and what was got.
 */
import { InvalidArgumentError } from 'commander';
import { Option, type Command, type InferOptions, type OptionValues } from '@commander-js/extra-typings';
import type { LogFlags } from './output/logger.js';

/** Flags every command accepts (declared on the program, read with optsWithGlobals()). */
export interface GlobalFlags extends LogFlags {
  verbose?: boolean;
  quiet?: boolean;
  jsonLog?: boolean;
}

const refuse = (expected: string, value: string): never => {
  throw new InvalidArgumentError(`expected ${expected}, got "${value}"`);
};

/** A whole number in [min, max]; `expected` is the wording of the message. */
export function intParser(min: number, max: number, expected: string): (value: string) => number {
  return (value) => {
    const n = Number(value);
    return value.trim() !== '' && Number.isSafeInteger(n) && n >= min && n <= max ? n : refuse(expected, value);
  };
}

/** A finite number in [min, max] (or above min, when `exclusiveMin`). */
export function numberParser(
  min: number,
  max: number,
  expected: string,
  exclusiveMin = false,
): (value: string) => number {
  return (value) => {
    const n = Number(value);
    const inRange = (exclusiveMin ? n > min : n >= min) && n <= max;
    return value.trim() !== '' && Number.isFinite(n) && inRange ? n : refuse(expected, value);
  };
}

const MAX = Number.MAX_SAFE_INTEGER;
export const parsePositiveInt = intParser(1, MAX, 'a positive integer');
export const parseNonNegativeInt = intParser(0, MAX, 'a non-negative integer');
export const parsePositiveNumber = numberParser(0, Infinity, 'a number > 0', true);
export const parseNonNegativeNumber = numberParser(0, Infinity, 'a number ≥ 0');
export const parseUnitInterval = numberParser(0, 1, 'a number from 0 to 1');
export const parseCosine = numberParser(-1, 1, 'a cosine similarity between -1 and 1');
/** A port to listen on: 0 asks the OS for any free one. */
export const parseListenPort = intParser(0, 65535, 'a port 0-65535');
/** A port a deployed service listens on: 0 would mean nothing there. */
export const parseServicePort = intParser(1, 65535, 'a port 1-65535');
export const parseNice = intParser(0, 19, 'a nice value from 0 to 19');
export const parsePngLevel = intParser(0, 9, 'a zlib level from 0 to 9');
export const parseWindowCount = intParser(2, MAX, 'at least 2 windows (two are needed to compare)');

const UNITS: Record<string, number> = { '': 1, b: 1, kb: 1024, mb: 1024 ** 2, gb: 1024 ** 3 };

/** `67108864`, `64mb`, `512KB`: binary units, as body limits usually are. */
export function parseSize(value: string): number {
  const match = /^(\d+(?:\.\d+)?)\s*([kmg]?b?)$/i.exec(value.trim());
  const bytes = match ? Math.floor(Number(match[1]) * UNITS[match[2]!.toLowerCase()]!) : NaN;
  return Number.isSafeInteger(bytes) && bytes >= 1 ? bytes : refuse('a size such as 64mb or 1048576', value);
}

const splitList = (value: string): string[] =>
  value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);

/** `a,b`: each item one of `allowed`. */
export function parseList<T extends string>(allowed: readonly T[]): (value: string) => T[] {
  return (value) => {
    const items = splitList(value);
    const ok = items.length > 0 && items.every((item) => allowed.includes(item as T));
    return ok ? (items as T[]) : refuse(`a comma-separated list of ${allowed.join(', ')}`, value);
  };
}

/** `--target a,b --target c`: repeated flags add up. */
export function collectList<T extends string>(allowed: readonly T[]): (value: string, previous?: T[]) => T[] {
  const parse = parseList(allowed);
  return (value, previous = []) => [...previous, ...parse(value)];
}

// An empty item ("0.2,") would read as 0 through Number("").
const numbers = (value: string): number[] => value.split(',').map((s) => (s.trim() === '' ? NaN : Number(s)));

export function parseFloats(value: string): number[] {
  const items = numbers(value);
  return items.every(Number.isFinite) ? items : refuse('comma-separated numbers', value);
}

export function parsePositiveIntList(value: string): number[] {
  const items = numbers(value);
  return items.every((n) => Number.isSafeInteger(n) && n >= 1)
    ? items
    : refuse('comma-separated positive integers', value);
}

/** ONNX op types: `Resize,Softmax`. */
export function parseOpList(value: string): string[] {
  const items = splitList(value);
  const ok = items.length > 0 && items.every((s) => /^[A-Za-z][A-Za-z0-9_]*$/.test(s));
  return ok ? items : refuse('comma-separated op types like Resize,Softmax', value);
}

/** `--dim batch=8`, repeatable: a value for a symbolic input dimension. */
export function collectDim(value: string, previous: Record<string, number>): Record<string, number> {
  const match = /^([^=]+)=(\d+)$/.exec(value.trim());
  if (!match || Number(match[2]) < 1) return refuse('name=N (N ≥ 1)', value);
  return { ...previous, [match[1]!.trim()]: Number(match[2]) };
}

export interface ShapeOverride {
  name?: string;
  shape: number[];
}

/** `1,3,224,224`, `1x3x224x224`, or `name:1,3,224,224`; repeatable, one per input. */
export function collectShape<T extends ShapeOverride>(value: string, previous: T[]): T[] {
  const colon = value.lastIndexOf(':');
  const name = colon > 0 ? value.slice(0, colon) : undefined;
  const dims = value
    .slice(colon + 1)
    .split(/[,x]/)
    .map((s) => Number(s.trim()));
  if (dims.length === 0 || !dims.every((d) => Number.isSafeInteger(d) && d >= 1)) {
    return refuse('a shape like 1,3,224,224 or input:1,3,224,224', value);
  }
  return [...previous, { ...(name ? { name } : {}), shape: dims } as T];
}

/** `--model a --model b`. */
export const collect = (value: string, previous: string[]): string[] => [...previous, value];

/** A flag that takes a value through `parse`: the building block of the shared groups below. */
export const valueOption = <Usage extends string, T>(flags: Usage, description: string, parse: (v: string) => T) =>
  new Option(flags, description).argParser(parse);

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- any Option, whatever it infers to
type AnyOption = Option<string, any, any, any, boolean, any>;
type WithOptions<Opts, T> = T extends readonly [
  Option<infer Usage, infer PresetT, infer DefaultT, infer CoerceT, infer Mandatory, infer ChoicesT>,
  ...infer Rest,
]
  ? WithOptions<InferOptions<Opts, Usage, DefaultT, CoerceT, Mandatory, PresetT, ChoicesT>, Rest>
  : Opts;

/** Adds a shared group of options to a command, keeping their inferred types for `.action()`. */
export function addOptions<
  Args extends unknown[],
  Opts extends OptionValues,
  Global extends OptionValues,
  const T extends readonly AnyOption[],
>(command: Command<Args, Opts, Global>, options: T): Command<Args, WithOptions<Opts, T>, Global> {
  for (const option of options) command.addOption(option);
  return command as never;
}

/** Where named models are looked up: run, package. */
export const registryOptions = () =>
  [
    new Option('--registry <dir>', 'registry folder for model names (default: $OXV_HOME or ~/.oxidizedvision)'),
  ] as const;

/** Symbolic input dimensions: optimize, profile. */
export const dimOptions = () =>
  [
    new Option('--dim <name=N>', 'value of a symbolic input dimension, repeatable (default: the model card, else 1)')
      .argParser(collectDim)
      .default({} as Record<string, number>),
  ] as const;
