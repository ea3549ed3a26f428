import type { Logger } from '@oxidizedvision/tools';
import type { BenchmarkRunner } from './runner-names.js';

/** Latency summary in milliseconds. Percentiles interpolate linearly between ranks (numpy's default). */
export interface LatencyStats {
  mean: number;
  p50: number;
  p90: number;
  p95: number;
  p99: number;
  min: number;
  max: number;
  /** Sample standard deviation (n − 1). */
  stddev: number;
}

export interface Histogram {
  /** bins + 1 edges, in ms; bin i holds samples in [edges[i], edges[i+1]) (the last bin includes its right edge). */
  edges_ms: number[];
  counts: number[];
  /** Samples above the last edge (the p99), left out of the bins. */
  above: number;
}

/** One measurement window: a run of `iterations` timed inferences. */
export interface WindowSummary {
  iterations: number;
  wall_ms: number;
  p50_ms: number;
}

/** `--input-shape`: the full shape of one input (its first dim is the batch dim), by name or for the only input. */
export interface InputShapeOverride {
  name?: string | undefined;
  shape: number[];
}

/** One input as fed at a given batch size. */
export interface InputSpec {
  name: string;
  dtype: string;
  shape: number[];
}

export interface BenchmarkResult {
  runner: BenchmarkRunner;
  batch_size: number;
  /** Where it ran: cpu, cuda, tensorrt, or wasm (onnxruntime-web). */
  device: string;
  /** Intra-op threads the runtime used; null when left to the runtime's default. */
  threads: number | null;
  inputs: InputSpec[];
  latency_ms: LatencyStats;
  /** Images (batch items) per second: batch × iterations / wall time of the reported windows. */
  throughput_ips: number;
  /** Peak resident memory of the runner's own process after this batch size (batch sizes run in ascending order). */
  peak_rss_mb: number;
  /** Resident memory of that process with its runtime imported, before the model was loaded. */
  baseline_rss_mb: number;
  /** Peak CUDA memory torch allocated (pytorch/torchscript on cuda only). */
  peak_gpu_mb?: number;
  /** Loading the model (building it and reading weights, or creating the session); once per runner. */
  load_ms: number;
  /** The first inference at this batch size, before warmup (allocation, kernel selection, lazy init). */
  first_inference_ms: number;
  /** Timed inferences behind latency_ms and throughput_ips. */
  iterations: number;
  /** Whether the last two windows' p50 agreed within the stability tolerance. */
  stable: boolean;
  /** (largest − smallest) / smallest p50 of the reported windows, in percent. */
  p50_spread_pct: number;
  /** Every window that ran, the reported ones last. */
  windows: WindowSummary[];
  histogram: Histogram;
}

export interface SkippedRunner {
  runner: BenchmarkRunner;
  reason: string;
  /** Named by --runners or the config's `runners:` (then a skip fails the command). */
  requested: boolean;
}

export interface RunnerFailure {
  runner: BenchmarkRunner;
  /** null when the runner failed before any batch size (loading). */
  batch_size: number | null;
  code: string;
  message: string;
  requested: boolean;
}

export interface MachineInfo {
  cpu_model: string;
  cores: number;
  memory_gb: number;
  platform: string;
  arch: string;
  node: string;
  onnxruntime: { node: string | null; web: string | null };
  torch: string | null;
  python: string | null;
  /** 1, 5 and 15 minute load averages when the run started: other work on the machine skews numbers. */
  load_average: number[];
}

export interface BenchmarkSettings {
  batch_sizes: number[];
  warmup: number;
  /** Inferences per window, or null when windows are timed (duration_s). */
  iters: number | null;
  /** Seconds per window, or null when windows count inferences (iters). */
  duration_s: number | null;
  threads: number | null;
  /** Device of the pytorch and torchscript runners. */
  device: 'cpu' | 'cuda';
  max_windows: number;
  /** Two consecutive windows whose p50 differ by at most this many percent count as stable. */
  stability_pct: number;
}

export interface ModelBenchmarkReport {
  kind: 'model';
  target: { kind: 'config' | 'onnx'; path: string; model: string };
  started_at: string;
  settings: BenchmarkSettings;
  results: BenchmarkResult[];
  skipped: SkippedRunner[];
  failures: RunnerFailure[];
  /** False when a runner the user asked for was skipped or failed. */
  ok: boolean;
  machine: MachineInfo;
}

/** A progress event; `stage` and `message` always, the rest where they apply. */
export interface BenchmarkProgressEvent {
  stage: 'plan' | 'load' | 'batch' | 'window' | 'done' | 'level';
  message: string;
  runner?: BenchmarkRunner;
  batch_size?: number;
  window?: number;
  max_windows?: number;
  p50_ms?: number;
  /** Steps (runner × batch size, or sweep levels) finished, and how many there are. */
  step?: number;
  steps?: number;
}

export interface BenchmarkLibraryOptions {
  logger?: Logger;
  onProgress?: (event: BenchmarkProgressEvent) => void;
}
