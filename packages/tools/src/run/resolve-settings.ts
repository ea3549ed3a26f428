import {
  OxvError,
  detectionLabels,
  hasDetectionOutputs,
  segmentationOutput,
  type PreprocessSpec,
  type TensorInfo,
} from '@oxidizedvision/runtime';
import type { ResolvedModel, RunImagesOptions, RunSettings, RunTask } from './types.js';

export const RUN_TASKS: readonly RunTask[] = ['image-to-image', 'classification', 'segmentation', 'detection'];
const DEFAULT_TOP_K = 5;
const DEFAULT_PNG_COMPRESSION = 6;
const DEFAULT_SIZE = 224;
/** torchvision's detectors keep boxes above 0.05 in the graph; 0.5 is what a person wants to see drawn. */
const DEFAULT_SCORE_THRESHOLD = 0.5;

const usage = (message: string, hint?: string): OxvError => new OxvError('ERR_USAGE', message, { hint });

/**
 * The flag, else the card's task, else detection for a model whose outputs are the detection contract's
 * (boxes, scores, labels by name: a card from before the task existed, or none at all).
 */
function resolveTask(model: ResolvedModel, flag: RunTask | undefined, outputs: readonly TensorInfo[]): RunTask {
  if (flag) return flag;
  const fromCard = model.card?.task;
  if (fromCard && (RUN_TASKS as readonly string[]).includes(fromCard)) return fromCard as RunTask;
  if (hasDetectionOutputs(outputs)) return 'detection';
  throw usage(
    fromCard
      ? `model ${model.name} has task "${fromCard}", which run cannot post-process`
      : `model ${model.name} has no task in a model card`,
    `pass --task ${RUN_TASKS.join('|')}`,
  );
}

/** Spatial dims of the model input in `layout`: numbers when fixed, strings when symbolic. */
function spatialDims(input: TensorInfo, layout: PreprocessSpec['layout']): [number | string, number | string] {
  const s = input.shape;
  if (s.length !== 4) return ['?', '?'];
  return layout === 'NCHW' ? [s[2]!, s[3]!] : [s[1]!, s[2]!];
}

function resolvePreprocess(
  model: ResolvedModel,
  input: TensorInfo,
  o: RunImagesOptions,
): { spec: PreprocessSpec; dynamic: boolean; explicit: boolean } {
  const card = model.card?.preprocess;
  const layout = o.layout ?? card?.layout ?? (input.shape[3] === 3 || input.shape[3] === 1 ? 'NHWC' : 'NCHW');
  const [h, w] = spatialDims(input, layout);
  const dynamic = typeof h !== 'number' || typeof w !== 'number';
  const channelDim = layout === 'NCHW' ? input.shape[1] : input.shape[3];
  const channelOrder = o.channelOrder ?? card?.channel_order ?? (channelDim === 1 ? 'GRAY' : 'RGB');
  const fixed: [number, number] | null = dynamic ? null : [h as number, w as number];
  const fromCard = card?.size ?? fixed ?? [DEFAULT_SIZE, DEFAULT_SIZE];
  const explicit = o.width !== undefined || o.height !== undefined;
  const size: [number, number] = [o.height ?? fromCard[0], o.width ?? fromCard[1]];
  if (fixed && (size[0] !== fixed[0] || size[1] !== fixed[1])) {
    throw usage(
      `model ${model.name} takes a fixed ${fixed[1]}x${fixed[0]} input; --width/--height ask for ${size[1]}x${size[0]}`,
    );
  }
  const channels = channelOrder === 'GRAY' ? 1 : 3;
  const mean = o.mean ?? card?.mean ?? [0];
  const std = o.std ?? card?.std ?? [1];
  for (const [flag, values] of [
    ['--mean', mean],
    ['--std', std],
  ] as const) {
    if (values.length !== 1 && values.length !== channels) {
      throw usage(
        `${flag} has ${values.length} values; the model takes ${channels} channel(s) (give 1 or ${channels})`,
      );
    }
  }
  if (std.some((v) => v === 0)) throw usage('--std values must not be 0');
  const spec: PreprocessSpec = Object.freeze({
    size: Object.freeze(size) as unknown as [number, number],
    resize: o.resize ?? card?.resize ?? 'stretch',
    scale: o.scale ?? card?.scale ?? 1 / 255,
    mean: Object.freeze([...mean]),
    std: Object.freeze([...std]),
    layout,
    channel_order: channelOrder,
  });
  return { spec, dynamic, explicit };
}

/*
 * Tiling defaults. A tiled pixel can only equal the whole-image one if it saw, inside its tile, all the
 * context the whole image gives it, so the overlap must cover the model's receptive field, whatever the
 * tile size. For the example UNet (four poolings, 3x3 convs at every scale) 96 px is enough: on a
 * 2048x1536 photo its translation-equivariant half-pixel variant (bench/tiling-unet-half-pixel.yml)
 * differs from the whole image by at most 3/255 with overlap 32 and 1/255 with overlap 96, for 256 and
 * 512 tiles alike (the shipped example, align_corners=True, cannot match exactly: 2/255 at best). Every
 * tile re-infers its overlap, so a wide one needs large tiles: a 4000x3000 JPEG took 4.7 s with 256/32
 * (the old default), 8.1 s with 256/96, 5.2 s with 512/96. Hence tiles of max(model size, 512) for
 * models with dynamic height/width (never larger than the image: planTiles clamps), the model size for
 * fixed ones (the only size they accept), and an overlap of min(96, tile/2), half the tile being the
 * most the validation below allows (tile 64 → 32). docs/run-and-package.md § Tiling and blending;
 * bench/run-pipeline.mjs --only-tiling measures the agreement.
 */
const MIN_DYNAMIC_TILE = 512;
const MAX_DEFAULT_OVERLAP = 96;

function defaultTile(size: readonly [number, number], dynamic: boolean): number {
  const modelSize = Math.min(size[0], size[1]);
  return dynamic ? Math.max(modelSize, MIN_DYNAMIC_TILE) : modelSize;
}

function defaultOverlap(tile: number): number {
  return Math.min(MAX_DEFAULT_OVERLAP, Math.floor(tile / 2));
}

function resolveTiling(
  task: RunTask,
  spec: PreprocessSpec,
  dynamic: boolean,
  o: RunImagesOptions,
): { tile: number; overlap: number } {
  if (task !== 'image-to-image') return { tile: 0, overlap: 0 };
  const tile = o.tile ?? defaultTile(spec.size, dynamic);
  if (tile > 0 && !dynamic && (tile !== spec.size[0] || tile !== spec.size[1])) {
    throw usage(
      `--tile ${tile} needs a model with dynamic height and width; this one takes ${spec.size[1]}x${spec.size[0]}`,
      `use --tile ${spec.size[0] === spec.size[1] ? spec.size[0] : 0}`,
    );
  }
  const overlap = o.overlap ?? defaultOverlap(tile);
  if (tile > 0 && overlap * 2 > tile) throw usage(`--overlap ${overlap} must be at most half of --tile ${tile}`);
  return { tile, overlap: tile > 0 ? overlap : 0 };
}

const shapeText = (info: TensorInfo): string => `[${info.shape.join(', ')}]`;

/**
 * The model's first output must be what the task post-processes: refused here, before any image is read,
 * rather than once per file (every file would fail the same way, after its decode and inference).
 * Symbolic dimensions pass; only what the ONNX graph fixes is checked.
 */
function assertOutputFitsTask(
  model: ResolvedModel,
  task: RunTask,
  outputs: readonly TensorInfo[],
  labels: readonly string[] | null,
): void {
  if (task === 'detection') {
    if (!hasDetectionOutputs(outputs)) {
      throw usage(
        `model ${model.name} outputs ${outputs.map((o) => `"${o.name}"`).join(', ')}; detection needs outputs named boxes, scores and labels`,
        'see docs/tasks.md § Detection for the output contract',
      );
    }
    return;
  }
  const output = task === 'segmentation' ? segmentationOutput(outputs)! : outputs[0]!;
  const { shape } = output;
  if (task === 'classification') {
    const classes = shape.at(-1);
    const nonUnit = shape.slice(0, -1).filter((d) => typeof d === 'number' && d !== 1);
    if (shape.length > 2 && nonUnit.length > 0) {
      throw usage(
        `model ${model.name}'s output "${output.name}" is ${shapeText(output)}, not [batch, classes]: it cannot be run as classification`,
        shape.length === 4 ? 'pass --task image-to-image or --task segmentation' : undefined,
      );
    }
    if (labels && typeof classes === 'number' && classes !== labels.length) {
      throw usage(
        `model ${model.name} outputs ${classes} classes but its card has ${labels.length} labels`,
        'fix the labels in the config (or its labels file) and convert again',
      );
    }
    return;
  }
  if (shape.length !== 4) {
    throw usage(
      `model ${model.name}'s output "${output.name}" is ${shapeText(output)}; ${task} needs an image-shaped output [1, C, H, W]`,
      shape.length === 2 ? 'pass --task classification' : undefined,
    );
  }
}

function resolveDetection(o: RunImagesOptions): Pick<RunSettings, 'scoreThreshold' | 'maxDetections' | 'nmsIou'> {
  const scoreThreshold = o.scoreThreshold ?? DEFAULT_SCORE_THRESHOLD;
  if (!(scoreThreshold >= 0 && scoreThreshold <= 1)) {
    throw usage(`--score-threshold must be a number from 0 to 1, got ${scoreThreshold}`);
  }
  const maxDetections = o.maxDetections ?? null;
  if (maxDetections !== null && !(Number.isSafeInteger(maxDetections) && maxDetections >= 1)) {
    throw usage(`--max-detections must be a positive integer, got ${maxDetections}`);
  }
  const nmsIou = o.nmsIou ?? null;
  if (nmsIou !== null && !(nmsIou >= 0 && nmsIou <= 1))
    throw usage(`--nms-iou must be a number from 0 to 1, got ${nmsIou}`);
  return { scoreThreshold, maxDetections, nmsIou };
}

/** Card, then flags, then defaults — resolved once and frozen, so workers and encoders share one truth. */
export function resolveRunSettings(
  model: ResolvedModel,
  io: { inputs: readonly TensorInfo[]; outputs: readonly TensorInfo[] },
  o: RunImagesOptions,
): RunSettings {
  if (io.inputs.length !== 1) {
    throw usage(`model ${model.name} has ${io.inputs.length} inputs; run feeds models with exactly one image input`);
  }
  const task = resolveTask(model, o.task, io.outputs);
  const labels = task === 'detection' ? detectionLabels(model.card) : (model.card?.labels ?? null);
  assertOutputFitsTask(model, task, io.outputs, labels);
  const { spec, dynamic, explicit } = resolvePreprocess(model, io.inputs[0]!, o);
  const topK = o.topK ?? DEFAULT_TOP_K;
  if (!(Number.isSafeInteger(topK) && topK >= 1)) throw usage(`--top-k must be a positive integer, got ${topK}`);
  const detection = resolveDetection(o);
  const pngCompression = o.pngCompression ?? DEFAULT_PNG_COMPRESSION;
  if (!(Number.isInteger(pngCompression) && pngCompression >= 0 && pngCompression <= 9)) {
    throw usage(`--png-compression must be an integer from 0 to 9, got ${pngCompression}`);
  }
  return Object.freeze({
    task,
    preprocess: spec,
    dynamicSize: dynamic,
    explicitSize: explicit,
    ...resolveTiling(task, spec, dynamic, o),
    topK,
    labels,
    ...detection,
    format: o.format ?? null,
    pngCompression,
    overwrite: o.overwrite ?? false,
    inputName: io.inputs[0]!.name,
    outputName: (task === 'segmentation' ? segmentationOutput(io.outputs)! : io.outputs[0]!).name,
  });
}
