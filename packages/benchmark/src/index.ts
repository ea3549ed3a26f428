/** @oxidizedvision/benchmark — model benchmarks (each runner in its own process) and server load tests. */
export { benchmarkModel, type BenchmarkOptions } from './benchmark.js';
// Prefixed at the package root, where `summarize` or `histogram` alone would say nothing about what they do.
export {
  percentile as latencyPercentile,
  summarize as summarizeLatencies,
  histogram as latencyHistogram,
} from './stats.js';
export {
  measureUntilStable,
  windowsAgree,
  type StabilityRule,
  type StableMeasurement,
  type WindowSamples,
} from './stability.js';
export { BENCHMARK_RUNNERS, type BenchmarkRunner } from './runner-names.js';
export type {
  BenchmarkResult,
  BenchmarkSettings,
  BenchmarkProgressEvent,
  BenchmarkLibraryOptions,
  Histogram,
  InputShapeOverride,
  InputSpec,
  LatencyStats,
  MachineInfo,
  ModelBenchmarkReport,
  RunnerFailure,
  SkippedRunner,
  WindowSummary,
} from './types.js';
export { benchmarkServer } from './server/benchmark-server.js';
export { buildInferRequest, type InferRequest } from './server/payload.js';
export type { LevelResult, ServerBenchmarkOptions, ServerBenchmarkReport, OipModelMetadata } from './server/types.js';
export { renderBenchmarkHtml } from './html/render.js';
