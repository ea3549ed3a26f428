import { OxvError, type TensorInfo } from '@oxidizedvision/runtime';
import type { ResolvedInput } from '@oxidizedvision/tools';
import type { BenchmarkTarget } from './target.js';
import type { InputShapeOverride, InputSpec } from './types.js';

/** An input with its batch dim (the first) left open as 'batch', or fixed when the model fixes it. */
export interface InputTemplate {
  name: string;
  dtype: string;
  dims: (number | 'batch')[];
}

/** What a target's inputs look like under the user's --input-shape overrides. */
export interface InputPlan {
  templates: InputTemplate[];
  /** Batch sizes the inputs allow without any being asked for; undefined when any batch size will do. */
  impliedBatchSizes: number[] | undefined;
}

const usage = (message: string, hint?: string) => new OxvError('ERR_USAGE', message, hint ? { hint } : {});

/** Which override applies to which input: by name, or an unnamed one to the only input. */
function overrideFor(name: string, overrides: readonly InputShapeOverride[], count: number): number[] | undefined {
  const named = overrides.find((o) => o.name === name);
  if (named) return named.shape;
  const unnamed = overrides.find((o) => o.name === undefined);
  if (unnamed && count !== 1) {
    throw usage(
      `--input-shape without an input name is ambiguous for a model with ${count} inputs`,
      'write it as name:1,3,224,224',
    );
  }
  return unnamed?.shape;
}

function checkOverrideNames(names: string[], overrides: readonly InputShapeOverride[]): void {
  for (const o of overrides) {
    if (o.name !== undefined && !names.includes(o.name)) {
      throw usage(`--input-shape names input "${o.name}", but the model's inputs are ${names.join(', ')}`);
    }
    if (o.shape.length === 0 || !o.shape.every((d) => Number.isSafeInteger(d) && d >= 1)) {
      throw usage(`--input-shape ${o.name ? `${o.name}:` : ''}${o.shape.join(',')} must be positive integers`);
    }
  }
}

/** Config inputs: the first dim of each configured shape is the batch dim, the rest are taken as written. */
export function templatesFromConfig(
  inputs: readonly ResolvedInput[],
  overrides: readonly InputShapeOverride[] = [],
): InputTemplate[] {
  checkOverrideNames(
    inputs.map((i) => i.name),
    overrides,
  );
  return inputs.map(({ name, dtype, shape }) => {
    const chosen = overrideFor(name, overrides, inputs.length) ?? shape;
    return { name, dtype, dims: ['batch', ...chosen.slice(1)] };
  });
}

/**
 * ONNX inputs: a symbolic first dim is the batch dim; any other symbolic dim needs --input-shape, since
 * guessing 224 for a detector's image side would benchmark a different workload than the user's.
 */
export function templatesFromOnnx(
  inputs: readonly TensorInfo[],
  overrides: readonly InputShapeOverride[] = [],
): InputTemplate[] {
  checkOverrideNames(
    inputs.map((i) => i.name),
    overrides,
  );
  return inputs.map((info) => {
    const given = overrideFor(info.name, overrides, inputs.length);
    const model = info.shape;
    if (given) {
      const clash = model.findIndex((d, i) => i > 0 && typeof d === 'number' && d !== given[i]);
      if (model.length > 0 && (given.length !== model.length || clash !== -1)) {
        throw usage(
          `--input-shape ${given.join(',')} does not fit input "${info.name}" of shape [${model.join(', ')}]`,
        );
      }
      const first = model[0];
      return {
        name: info.name,
        dtype: info.dtype,
        dims: [typeof first === 'number' ? first : 'batch', ...given.slice(1)],
      };
    }
    const open = model.filter((d, i) => i > 0 && typeof d !== 'number');
    if (open.length > 0) {
      const example = model.map((d, i) => (i === 0 ? 1 : typeof d === 'number' ? d : 224)).join(',');
      throw usage(
        `input "${info.name}" has symbolic dims [${model.join(', ')}]; say which shape to benchmark`,
        `e.g. --input-shape ${inputs.length > 1 ? `${info.name}:` : ''}${example}`,
      );
    }
    const dims = model.map((d, i) => (i === 0 && typeof d !== 'number' ? 'batch' : d)) as (number | 'batch')[];
    return { name: info.name, dtype: info.dtype, dims };
  });
}

/** Batch sizes an input plan can run without any being asked for: a fixed batch, or an override's first dim. */
export function impliedBatchSizes(
  templates: readonly InputTemplate[],
  overrides: readonly InputShapeOverride[] = [],
): number[] | undefined {
  const fixed = templates.map((t) => t.dims[0]).find((d): d is number => typeof d === 'number');
  if (fixed !== undefined) return [fixed];
  const first = overrides[0]?.shape[0];
  return first === undefined ? undefined : [first];
}

/** Batch sizes a model with a fixed batch dim cannot run. */
export function checkBatchSizes(
  templates: readonly InputTemplate[],
  batchSizes: readonly number[],
  what: string,
): void {
  for (const t of templates) {
    const first = t.dims[0];
    const bad = typeof first === 'number' ? batchSizes.filter((b) => b !== first) : [];
    if (bad.length > 0) {
      throw usage(
        `${what} has a fixed batch size of ${first} (input "${t.name}"), so batch size ${bad.join(', ')} cannot run`,
        'Export it with a dynamic batch axis (export.dynamic_axes: [batch]) or drop --batch-sizes.',
      );
    }
  }
}

export function inputsForBatch(templates: readonly InputTemplate[], batch: number): InputSpec[] {
  return templates.map((t) => ({
    name: t.name,
    dtype: t.dtype,
    shape: t.dims.map((d) => (d === 'batch' ? batch : d)),
  }));
}

/** A config's inputs take their shapes as written; a bare .onnx file's come from the file itself. */
export function planInputs(target: BenchmarkTarget, overrides: readonly InputShapeOverride[] = []): InputPlan {
  const templates =
    target.kind === 'config'
      ? templatesFromConfig(target.config.model.inputs, overrides)
      : templatesFromOnnx(target.inputs, overrides);
  return { templates, impliedBatchSizes: impliedBatchSizes(templates, overrides) };
}
