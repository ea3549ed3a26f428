import type { Detection, ModelCard, PreprocessSpec } from '@oxidizedvision/runtime';
import type { LibraryOptions } from '../internal/logger.js';

export type RunTask = 'image-to-image' | 'classification' | 'segmentation' | 'detection';
export type OutputFormat = 'png' | 'jpeg' | 'webp' | 'tiff';

/** What the caller may override; every field falls back to the model card, then to a documented default. */
export interface RunImagesOptions extends LibraryOptions {
  /** Output folder (created if missing); required for image-to-image and segmentation, optional for detection. */
  out?: string;
  task?: RunTask;
  /** Model input size; the original denoiser_cli's --width/--height. */
  width?: number;
  height?: number;
  resize?: PreprocessSpec['resize'];
  scale?: number;
  mean?: number[];
  std?: number[];
  layout?: PreprocessSpec['layout'];
  channelOrder?: PreprocessSpec['channel_order'];
  /** Image-to-image output format; default: the input's own. */
  format?: OutputFormat;
  /**
   * zlib level for PNG outputs, 0 (stored) to 9 (smallest); default 6, libpng's and sharp's. Lower levels
   * encode faster at a cost in size (docs/run-and-package.md has measurements).
   */
  pngCompression?: number;
  /** Classification: how many classes to report per image (default 5). */
  topK?: number;
  /** Detection: drop detections scoring below this (default 0.5). */
  scoreThreshold?: number;
  /** Detection: at most this many per image, best first (default: all above the threshold). */
  maxDetections?: number;
  /** Detection: class-aware NMS at this IoU, for graphs that leave NMS out (default: none). */
  nmsIou?: number;
  /**
   * Image-to-image tile side in pixels: undefined → the model input size (at least 512 when its H/W are
   * dynamic), 0 → the whole image at once.
   */
  tile?: number;
  /** Pixels shared by neighbouring tiles, blended with feathered weights (default: 96, at most half the tile). */
  overlap?: number;
  overwrite?: boolean;
  /** Inference workers (worker_threads, one onnxruntime-node session each). */
  workers?: number;
  /** onnxruntime intra-op threads per worker. */
  threads?: number;
  /** Registry folder for model references given by name. */
  registryHome?: string;
  /** Called after each file, for progress bars. */
  onFile?: (result: RunFileResult, done: number, total: number) => void;
}

/** Everything the pipeline needs, resolved once from card + flags, then frozen. */
export interface RunSettings {
  task: RunTask;
  preprocess: PreprocessSpec;
  /** Whether the model accepts any height and width (symbolic spatial dims). */
  dynamicSize: boolean;
  /** Whether preprocess.size was given explicitly (flags): with tile 0 the image is resized to it and back. */
  explicitSize: boolean;
  tile: number;
  overlap: number;
  topK: number;
  labels: readonly string[] | null;
  scoreThreshold: number;
  maxDetections: number | null;
  nmsIou: number | null;
  format: OutputFormat | null;
  pngCompression: number;
  overwrite: boolean;
  inputName: string;
  outputName: string;
}

export interface ResolvedModel {
  name: string;
  onnx: string;
  card: ModelCard | null;
  cardPath: string | null;
}

export interface Prediction {
  index: number;
  label: string;
  probability: number;
}

export interface RunFileResult {
  input: string;
  ok: boolean;
  /** Files written for this input (image, mask, overlay). */
  outputs: string[];
  /** Classification only. */
  predictions?: Prediction[];
  /** Detection only: best first, in the source image's pixels. */
  detections?: Detection[];
  error?: { code: string; message: string };
  ms: number;
}

export interface RunSummary {
  model: string;
  task: RunTask;
  total: number;
  succeeded: number;
  failed: number;
  /** From the call to the last file written, model loading included. */
  wall_ms: number;
  /** Starting the worker pool: every worker loading its own session of the model. Part of wall_ms. */
  model_load_ms: number;
  /** Succeeded files per second of wall_ms. */
  images_per_second: number;
  workers: number;
  threads: number;
  files: RunFileResult[];
}
