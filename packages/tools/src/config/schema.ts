/**
 * The one source of truth for the YAML config: the loader validates against it, `docs/config.md`
 * describes it, and `config.schema.json` (for editors) is generated from it. Field names and meanings
 * follow the original toolkit's schema (model/export/runners/validation/optimize/benchmark); the
 * additions are the fields users of a real converter need (init_args, named inputs, dynamic axes,
 * preprocessing, python).
 */
import { Type, type Static } from '@sinclair/typebox';

export const DTYPES = ['float32', 'float16', 'int64', 'int32', 'uint8', 'bool'] as const;
export const DYNAMIC_AXES = ['batch', 'height', 'width'] as const;
export const RUNNER_NAMES = ['pytorch', 'torchscript', 'onnxruntime-node', 'onnxruntime-web'] as const;
/** Runner names of the original (Rust) toolkit, mapped to the runtime that now plays their part. */
export const LEGACY_RUNNER_NAMES: Record<string, (typeof RUNNER_NAMES)[number]> = {
  tch: 'torchscript',
  tract: 'onnxruntime-node',
  onnxruntime: 'onnxruntime-node',
};
export const EXPORTERS = ['auto', 'torchscript', 'dynamo'] as const;
export const QUANTIZE_MODES = ['fp16', 'int8', 'int8-dynamic'] as const;
export const RESIZE_MODES = ['stretch', 'fit', 'fill', 'letterbox'] as const;
export const TASKS = ['image-to-image', 'classification', 'segmentation', 'detection', 'other'] as const;

/** A string enum as plain JSON Schema `enum`, so errors can list the allowed values. */
const literals = <T extends readonly string[]>(values: T, description: string, defaultValue?: T[number]) =>
  Type.Unsafe<T[number]>({
    type: 'string',
    enum: [...values],
    description,
    ...(defaultValue === undefined ? {} : { default: defaultValue }),
  });

const PositiveInt = (description: string) => Type.Integer({ minimum: 1, description });
const Shape = (description: string) =>
  Type.Array(PositiveInt('A dimension size (> 0).'), { minItems: 1, maxItems: 8, description });

const InputSpec = Type.Object(
  {
    name: Type.String({
      minLength: 1,
      pattern: '^[A-Za-z_][A-Za-z0-9_.:-]*$',
      description: 'Input name in the ONNX graph.',
    }),
    shape: Shape('Example shape used for tracing and validation, batch first.'),
    dtype: Type.Optional(literals(DTYPES, 'Element type (default float32).')),
  },
  { additionalProperties: false },
);

const ModelSection = Type.Object(
  {
    path: Type.String({
      minLength: 1,
      description:
        'A Python file defining the model class, a TorchScript file (.pt/.pth/.ts), or "torchvision:<arch>". Relative to the config file.',
    }),
    class_name: Type.Optional(
      Type.String({ minLength: 1, description: 'Class to import from `path` (required for a .py file).' }),
    ),
    init_args: Type.Optional(
      Type.Record(Type.String(), Type.Unknown(), { description: 'Keyword arguments for the class constructor.' }),
    ),
    input_shape: Type.Optional(
      Type.Array(PositiveInt('A dimension size (> 0).'), {
        minItems: 2,
        maxItems: 8,
        description: 'Shape of the single input, batch first (e.g. [1, 3, 256, 256]). Use `inputs` for several.',
      }),
    ),
    inputs: Type.Optional(
      Type.Array(InputSpec, { minItems: 1, description: 'Several named inputs (instead of input_shape).' }),
    ),
    output_names: Type.Optional(
      Type.Array(Type.String({ minLength: 1 }), {
        minItems: 1,
        description: 'Names for the outputs, in order (default: output for one, output_0, output_1, … for several).',
      }),
    ),
    checkpoint: Type.Optional(
      Type.String({ minLength: 1, description: 'A state_dict file (bare, or wrapped under "state_dict" or "model").' }),
    ),
    randomize_weights: Type.Optional(
      Type.Boolean({
        description:
          'Redraw every parameter from a seeded distribution before export (no checkpoint): parity checks on torchvision architectures whose default init gives constant or vanishing outputs.',
      }),
    ),
  },
  { additionalProperties: false },
);

const ExportSection = Type.Object(
  {
    opset_version: Type.Integer({ minimum: 7, maximum: 21, default: 17, description: 'ONNX opset to export.' }),
    do_constant_folding: Type.Boolean({ default: true }),
    output_dir: Type.String({
      minLength: 1,
      default: 'out',
      description: 'Where the .onnx, .pt and model card go. Relative to the config file.',
    }),
    model_name: Type.String({
      minLength: 1,
      maxLength: 128,
      pattern: '^[A-Za-z0-9][A-Za-z0-9._-]*$',
      default: 'model',
      description: 'File stem and registry name.',
    }),
    dynamic_axes: Type.Array(literals(DYNAMIC_AXES, 'An axis left symbolic in the ONNX graph.'), {
      default: ['batch'],
      uniqueItems: true,
      description:
        'Axes left dynamic: batch (dim 0) by default; height and width (dims 2, 3 of 4-D tensors) on request.',
    }),
    torchscript: Type.Boolean({ default: true, description: 'Also save a traced TorchScript file.' }),
    exporter: literals(
      EXPORTERS,
      'auto: the TorchScript-based exporter where available; dynamo: torch.export-based (PyTorch 2.x).',
      'auto',
    ),
    register: Type.Boolean({ default: true, description: 'Add the converted model to the registry.' }),
  },
  { additionalProperties: false },
);

const RunnerEntry = Type.Union([
  Type.String({ minLength: 1 }),
  Type.Object(
    {
      name: Type.String({ minLength: 1 }),
      optimize: Type.Optional(Type.Boolean()),
      use_cuda: Type.Optional(Type.Boolean()),
      threads: Type.Optional(PositiveInt('Intra-op threads.')),
    },
    { additionalProperties: false },
  ),
]);

const ValidationSection = Type.Object(
  {
    num_tests: Type.Integer({
      minimum: 1,
      maximum: 10000,
      default: 3,
      description: 'Seeded random inputs to compare.',
    }),
    tolerance_mae: Type.Number({ minimum: 0, default: 1e-4, description: 'Largest mean absolute error that passes.' }),
    tolerance_cos_sim: Type.Number({
      minimum: -1,
      maximum: 1,
      default: 0.9999,
      description: 'Smallest cosine similarity that passes.',
    }),
    tolerance_max_abs: Type.Optional(
      Type.Number({ minimum: 0, description: 'Largest max abs error that passes (off by default).' }),
    ),
    seed: Type.Integer({ minimum: 0, default: 0, description: 'Seed of the random inputs.' }),
    images: Type.Optional(
      Type.String({ minLength: 1, description: 'A folder of images also compared, through `preprocess`.' }),
    ),
    allow_degenerate: Type.Boolean({
      default: false,
      description:
        'Accept a reference output that is constant, all zero or negligibly small (by default such an output fails: a match on it proves nothing).',
    }),
  },
  { additionalProperties: false },
);

const OptimizeSection = Type.Object(
  {
    simplify: Type.Boolean({ default: true }),
    constant_folding: Type.Boolean({ default: true }),
    quantize: Type.Unsafe<(typeof QUANTIZE_MODES)[number] | null>({
      enum: [...QUANTIZE_MODES, null],
      default: null,
      description: 'Quantization mode, or null for none.',
    }),
    calibrate: Type.Optional(Type.String({ minLength: 1, description: 'Folder of calibration images for int8.' })),
    min_cosine: Type.Optional(Type.Number({ minimum: -1, maximum: 1 })),
  },
  { additionalProperties: false },
);

const BenchmarkSection = Type.Object(
  {
    iters: Type.Integer({ minimum: 1, default: 100 }),
    warmup_iters: Type.Integer({ minimum: 0, default: 10 }),
    batch_size: Type.Integer({ minimum: 1, default: 1 }),
    batch_sizes: Type.Optional(Type.Array(PositiveInt('A batch size.'), { minItems: 1 })),
    device: literals(['cpu', 'cuda'] as const, 'Device for PyTorch and ONNX runners.', 'cpu'),
    threads: Type.Optional(PositiveInt('Intra-op threads.')),
  },
  { additionalProperties: false },
);

const PreprocessSection = Type.Object(
  {
    size: Type.Optional(
      Type.Array(PositiveInt('Pixels.'), {
        minItems: 2,
        maxItems: 2,
        description: '[height, width] fed to the model.',
      }),
    ),
    resize: literals(RESIZE_MODES, 'How an image is brought to `size`.', 'stretch'),
    scale: Type.Number({
      exclusiveMinimum: 0,
      default: 1 / 255,
      description: 'Pixel values (0–255) are multiplied by this first.',
    }),
    mean: Type.Array(Type.Number(), { minItems: 1, maxItems: 4, default: [0, 0, 0] }),
    std: Type.Array(Type.Number({ exclusiveMinimum: 0 }), { minItems: 1, maxItems: 4, default: [1, 1, 1] }),
    layout: literals(['NCHW', 'NHWC'] as const, 'Tensor layout.', 'NCHW'),
    channel_order: literals(['RGB', 'BGR', 'GRAY'] as const, 'Channel order.', 'RGB'),
  },
  { additionalProperties: false },
);

export const ConfigSchema = Type.Object(
  {
    python: Type.Optional(Type.String({ minLength: 1, description: 'Python interpreter that imports torch.' })),
    task: Type.Optional(literals(TASKS, 'What the model does; drives postprocessing in run/serve.')),
    labels: Type.Optional(
      Type.Union([Type.String({ minLength: 1 }), Type.Array(Type.String())], {
        description: 'Class labels: a file (one per line) or a list.',
      }),
    ),
    model: ModelSection,
    export: Type.Optional(ExportSection),
    runners: Type.Optional(Type.Array(RunnerEntry, { description: 'Runtimes to validate/benchmark (default: all).' })),
    validation: Type.Optional(ValidationSection),
    optimize: Type.Optional(OptimizeSection),
    benchmark: Type.Optional(BenchmarkSection),
    preprocess: Type.Optional(PreprocessSection),
  },
  { additionalProperties: false, $id: 'https://oxidizedvision.dev/config.schema.json', title: 'OxidizedVision config' },
);

export type RawConfig = Static<typeof ConfigSchema>;

/**
 * The schema as editors should see it: JSON only, with fields that have defaults no longer required.
 * (TypeBox marks every non-Optional field required; the loader fills defaults before checking, but an
 * editor does not, and would flag nearly every real config.)
 */
export function configJsonSchema(): Record<string, unknown> {
  const strip = (node: unknown): unknown => {
    if (Array.isArray(node)) return node.map(strip);
    if (node === null || typeof node !== 'object') return node;
    const out: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(node)) out[key] = strip(value);
    const properties = out.properties as Record<string, { default?: unknown }> | undefined;
    if (Array.isArray(out.required) && properties) {
      out.required = (out.required as string[]).filter((name) => properties[name]?.default === undefined);
      if ((out.required as string[]).length === 0) delete out.required;
    }
    return out;
  };
  return { $schema: 'http://json-schema.org/draft-07/schema#', ...(strip(ConfigSchema) as object) };
}
