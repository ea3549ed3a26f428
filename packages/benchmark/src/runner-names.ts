/**
 * Every runner benchmark knows. The GPU execution providers of onnxruntime-node are runners of their own
 * so that the default "everything available" run lists them, with the reason when they are not installed.
 * Imports nothing, and is its own subpath (`@oxidizedvision/benchmark/runners`), so the CLI can list the
 * runners in --help without loading tools, onnxruntime or sharp.
 */
export const BENCHMARK_RUNNERS = [
  'pytorch',
  'torchscript',
  'onnxruntime-node',
  'onnxruntime-web',
  'onnxruntime-node-cuda',
  'onnxruntime-node-tensorrt',
] as const;
export type BenchmarkRunner = (typeof BENCHMARK_RUNNERS)[number];
