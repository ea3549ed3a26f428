import { existsSync, readFileSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import type { DType } from '@oxidizedvision/runtime';
import { LEGACY_RUNNER_NAMES, RUNNER_NAMES, type RawConfig } from './schema.js';
import { configError, type ConfigSource } from './config-error.js';
import { createIssue, didYouMean, type IssuePath, type SchemaIssue } from '@oxidizedvision/runtime/schema';
import type { ModelKind, ResolvedConfig, ResolvedInput, RunnerName } from './types.js';

const TORCHVISION_PREFIX = 'torchvision:';
const TORCHSCRIPT_EXTENSIONS = ['.pt', '.pth', '.ts', '.jit', '.torchscript'];

class IssueList {
  readonly items: SchemaIssue[] = [];
  readonly missingFiles: SchemaIssue[] = [];
  /** A check that spans fields: `expected` is the rule itself, as the message states it. */
  add(path: IssuePath, message: string, value?: unknown): void {
    this.items.push(createIssue(path, value, message, { message }));
  }
  missing(path: IssuePath, file: string): void {
    this.missingFiles.push(
      createIssue(path, file, 'an existing file', { message: `names a file that does not exist: ${file}` }),
    );
  }
}

function modelKind(path: string): ModelKind {
  if (path.startsWith(TORCHVISION_PREFIX)) return 'torchvision';
  return path.endsWith('.py') ? 'python' : 'torchscript';
}

function resolveInputs(raw: RawConfig, issues: IssueList): ResolvedInput[] {
  const { input_shape, inputs } = raw.model;
  if (input_shape && inputs)
    issues.add(['model', 'inputs'], 'cannot be combined with model.input_shape; use one of them');
  if (inputs) {
    const seen = new Set<string>();
    inputs.forEach((input, i) => {
      if (seen.has(input.name)) issues.add(['model', 'inputs', i, 'name'], `repeats the input name "${input.name}"`);
      seen.add(input.name);
    });
    return inputs.map((input) => ({
      name: input.name,
      shape: [...input.shape],
      dtype: (input.dtype ?? 'float32') as DType,
    }));
  }
  if (input_shape) return [{ name: 'input', shape: [...input_shape], dtype: 'float32' }];
  issues.add(['model'], 'needs input_shape (e.g. [1, 3, 224, 224]) or inputs (a list of {name, shape, dtype})');
  return [];
}

function resolveRunners(raw: RawConfig, issues: IssueList): RunnerName[] {
  if (!raw.runners || raw.runners.length === 0) return [...RUNNER_NAMES];
  const names: RunnerName[] = [];
  raw.runners.forEach((entry, i) => {
    const name = typeof entry === 'string' ? entry : entry.name;
    const mapped = (RUNNER_NAMES as readonly string[]).includes(name)
      ? (name as RunnerName)
      : LEGACY_RUNNER_NAMES[name];
    if (mapped) {
      if (!names.includes(mapped)) names.push(mapped);
      return;
    }
    const all = [...RUNNER_NAMES, ...Object.keys(LEGACY_RUNNER_NAMES)];
    const guess = didYouMean(name, all, 3);
    issues.add(
      ['runners', i],
      `names an unknown runner "${name}"; ${guess ? `did you mean "${guess}"? ` : ''}allowed: ${RUNNER_NAMES.join(', ')}`,
    );
  });
  return names;
}

function readLabels(raw: RawConfig, dir: string, issues: IssueList): string[] | undefined {
  if (raw.labels === undefined) return undefined;
  if (Array.isArray(raw.labels)) return raw.labels;
  const file = resolve(dir, raw.labels);
  if (!existsSync(file)) {
    issues.missing(['labels'], file);
    return undefined;
  }
  return readFileSync(file, 'utf8')
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l.length > 0);
}

/** Checks that span fields (or the file system), then builds the frozen resolved config. */
export function resolveConfig(source: ConfigSource, raw: RawConfig, dir: string): ResolvedConfig {
  const issues = new IssueList();
  const kind = modelKind(raw.model.path);
  const at = (p: string) => (isAbsolute(p) ? p : join(dir, p));
  const modelPath = kind === 'torchvision' ? raw.model.path : at(raw.model.path);
  const arch = kind === 'torchvision' ? raw.model.path.slice(TORCHVISION_PREFIX.length) : undefined;
  // `<family>.<builder>` picks a family (quantization.resnet18); a bare builder name searches them all.
  if (kind === 'torchvision' && !/^([a-z][a-z_]*\.)?[a-z][a-z0-9_]*$/.test(arch ?? '')) {
    issues.add(
      ['model', 'path'],
      `must name a torchvision architecture after "torchvision:", e.g. torchvision:resnet18 or torchvision:quantization.resnet18 (got "${raw.model.path}")`,
    );
  }
  if (kind === 'python' && !raw.model.class_name)
    issues.add(['model', 'class_name'], 'is required when model.path is a Python file');
  if (kind === 'torchscript' && !TORCHSCRIPT_EXTENSIONS.some((ext) => modelPath.endsWith(ext))) {
    issues.add(
      ['model', 'path'],
      `must be a .py file, a TorchScript file (${TORCHSCRIPT_EXTENSIONS.join(', ')}) or torchvision:<arch>`,
    );
  }
  if (kind !== 'torchvision' && !existsSync(modelPath)) issues.missing(['model', 'path'], modelPath);
  const checkpoint = raw.model.checkpoint === undefined ? undefined : at(raw.model.checkpoint);
  if (checkpoint && !existsSync(checkpoint)) issues.missing(['model', 'checkpoint'], checkpoint);
  if (raw.model.randomize_weights && checkpoint)
    issues.add(
      ['model', 'randomize_weights'],
      'cannot be combined with model.checkpoint (it would replace its weights)',
    );
  if (raw.model.randomize_weights && kind === 'torchscript')
    issues.add(
      ['model', 'randomize_weights'],
      'needs a .py or torchvision: model (a TorchScript file keeps its weights)',
    );

  const inputs = resolveInputs(raw, issues);
  const exp = raw.export!;
  const wantsSpatial = exp.dynamic_axes.some((a) => a !== 'batch');
  if (wantsSpatial && inputs.some((input) => input.shape.length !== 4)) {
    issues.add(['export', 'dynamic_axes'], 'height/width can only be dynamic when every input is 4-D (N, C, H, W)');
  }
  const runners = resolveRunners(raw, issues);
  const labels = readLabels(raw, dir, issues);
  const pre = raw.preprocess!;
  if (pre.mean.length !== pre.std.length)
    issues.add(['preprocess', 'std'], `has ${pre.std.length} values but mean has ${pre.mean.length}`);

  if (issues.items.length > 0) throw configError(source, issues.items);
  if (issues.missingFiles.length > 0) throw configError(source, issues.missingFiles, 'ERR_FILE_NOT_FOUND');

  const firstShape = inputs[0]?.shape ?? [];
  const defaultSize = firstShape.length === 4 ? ([firstShape[2]!, firstShape[3]!] as [number, number]) : null;
  const val = raw.validation!;
  const opt = raw.optimize!;
  const bench = raw.benchmark!;
  const resolved: ResolvedConfig = {
    file: source.file,
    dir,
    // A path (with a slash) is relative to the config like every other path; a bare name is a PATH lookup.
    python: raw.python === undefined || !raw.python.includes('/') ? raw.python : at(raw.python),
    task: raw.task,
    labels,
    model: {
      kind,
      path: modelPath,
      arch,
      class_name: raw.model.class_name,
      init_args: raw.model.init_args ?? {},
      inputs,
      output_names: raw.model.output_names,
      checkpoint,
      randomize_weights: raw.model.randomize_weights ?? false,
    },
    export: { ...exp, output_dir: at(exp.output_dir), dynamic_axes: [...exp.dynamic_axes] },
    runners,
    validation: {
      ...val,
      tolerance_max_abs: val.tolerance_max_abs,
      images: val.images === undefined ? undefined : at(val.images),
      allow_degenerate: val.allow_degenerate,
    },
    optimize: {
      ...opt,
      calibrate: opt.calibrate === undefined ? undefined : at(opt.calibrate),
      min_cosine: opt.min_cosine,
    },
    benchmark: { ...bench, batch_sizes: bench.batch_sizes, threads: bench.threads },
    preprocess: {
      size: pre.size ? [pre.size[0]!, pre.size[1]!] : defaultSize,
      resize: pre.resize,
      scale: pre.scale,
      mean: [...pre.mean],
      std: [...pre.std],
      layout: pre.layout,
      channel_order: pre.channel_order,
    },
    raw,
  };
  return deepFreeze(resolved);
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}
