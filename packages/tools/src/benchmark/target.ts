import { existsSync, statSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import { OxvError, type TensorInfo } from '@oxidizedvision/runtime';
import { exportPaths } from '../config/export-paths.js';
import { loadConfig } from '../config/load.js';
import type { ResolvedConfig } from '../config/types.js';

export type BenchmarkTarget =
  | { kind: 'config'; path: string; model: string; config: ResolvedConfig; onnx: string; torchscript: string }
  | { kind: 'onnx'; path: string; model: string; onnx: string };

/** A `.onnx` path benchmarks that file with the ONNX runners; anything else is read as a config. */
export function resolveTarget(target: string | ResolvedConfig): BenchmarkTarget {
  if (typeof target !== 'string') return fromConfig(target);
  if (!/\.onnx$/i.test(target)) return fromConfig(loadConfig(target));
  const path = resolve(target);
  if (!existsSync(path) || !statSync(path).isFile()) {
    throw new OxvError('ERR_FILE_NOT_FOUND', `model file not found: ${path}`, { details: { file: path } });
  }
  return { kind: 'onnx', path, model: basename(path).replace(/\.onnx$/i, ''), onnx: path };
}

function fromConfig(config: ResolvedConfig): BenchmarkTarget {
  const paths = exportPaths(config);
  return {
    kind: 'config',
    path: config.file,
    model: config.export.model_name,
    config,
    onnx: paths.onnx,
    torchscript: paths.torchscript,
  };
}

/** The ONNX file's inputs as onnxruntime reads them (a throwaway session: cheap, and never timed). */
export async function readOnnxInputs(path: string): Promise<TensorInfo[]> {
  const { createNodeRunner } = await import('@oxidizedvision/runtime/node');
  const runner = await createNodeRunner(path, { intraOpThreads: 1, graphOptimizationLevel: 'disabled' });
  try {
    return [...runner.info().inputs];
  } finally {
    await runner.dispose();
  }
}
