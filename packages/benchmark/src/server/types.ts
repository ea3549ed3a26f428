import type { BenchmarkLibraryOptions, InputShapeOverride, LatencyStats, MachineInfo } from '../types.js';

/** Open Inference Protocol tensor datatypes the load generator can fill with random data. */
export const OIP_DATATYPES = {
  BOOL: 'bool',
  UINT8: 'uint8',
  INT8: 'int8',
  INT32: 'int32',
  INT64: 'int64',
  FP16: 'float16',
  FP32: 'float32',
  FP64: 'float64',
} as const;
export type OipDatatype = keyof typeof OIP_DATATYPES;

export interface OipTensorMetadata {
  name: string;
  datatype: string;
  /** -1 marks a dynamic dim. */
  shape: number[];
}

export interface OipModelMetadata {
  name: string;
  versions?: string[];
  platform?: string;
  inputs: OipTensorMetadata[];
  outputs: OipTensorMetadata[];
}

export interface ServerBenchmarkOptions extends BenchmarkLibraryOptions {
  /** Base URL of the server, e.g. http://127.0.0.1:8000 (requests go to <url>/v2/models/<model>/…). */
  url: string;
  model: string;
  /** Closed-loop clients per level; default 1, 4, 16, 64. */
  concurrency?: number[] | undefined;
  /** Seconds each level is measured, after its warmup; default 5. */
  durationS?: number | undefined;
  /** Requests each client sends before a level's clock starts; default 2. */
  warmup?: number | undefined;
  /** Triton's binary tensor extension instead of JSON `data`. */
  binary?: boolean | undefined;
  /** Full input shapes; needed when the metadata has dynamic dims other than the first. */
  inputShapes?: InputShapeOverride[] | undefined;
  /** Replace the first dim of every input with each of these; default: as the metadata or --input-shape say. */
  batchSizes?: number[] | undefined;
  /** A request taking longer than this counts as an error; default 60 s. */
  requestTimeoutMs?: number | undefined;
}

export interface LevelResult {
  batch_size: number;
  concurrency: number;
  /** Requests that completed successfully inside the measured window. */
  requests: number;
  /** Non-2xx answers, network errors and timeouts inside the window. */
  errors: number;
  duration_s: number;
  /** Successful inference requests per second. */
  throughput_rps: number;
  /** Images (batch items) per second: throughput_rps × batch size. */
  throughput_ips: number;
  /** Null when no request succeeded. */
  latency_ms: LatencyStats | null;
  /** Up to three distinct error messages, for diagnosis. */
  error_samples: string[];
  /** CPU the load generator itself used, in percent of one core: near 100 means the client limits the numbers. */
  client_cpu_pct: number;
}

export interface ServerBenchmarkReport {
  kind: 'server';
  server: string;
  model: string;
  protocol: 'json' | 'binary';
  started_at: string;
  inputs: { name: string; datatype: string; shape: number[] }[];
  settings: { concurrency: number[]; batch_sizes: number[]; duration_s: number; warmup: number };
  results: LevelResult[];
  /** False when some level completed no request successfully. */
  ok: boolean;
  machine: MachineInfo;
}
