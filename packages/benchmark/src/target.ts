import { existsSync, statSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import { OxvError, type TensorInfo } from '@oxidizedvision/runtime';
import { exportPaths, loadConfig, type ResolvedConfig } from '@oxidizedvision/tools';
import type { BenchmarkRunner } from './runner-names.js';

/**
 * Everything benchmark needs to know about what it measures, found once: later stages read this and never
 * go back to the config or the file.
 */
export type BenchmarkTarget =
  | {
      kind: 'config';
      path: string;
      model: string;
      config: ResolvedConfig;
      onnx: string;
      torchscript: string;
      /** The config's `runners:` (legacy names already mapped), or undefined when it lists none. */
      runners: BenchmarkRunner[] | undefined;
    }
  | {
      kind: 'onnx';
      path: string;
      model: string;
      onnx: string;
      /** The file's inputs as onnxruntime reads them. */
      inputs: TensorInfo[];
      runners: undefined;
    };

/** A `.onnx` path benchmarks that file with the ONNX runners; anything else is read as a config. */
export async function resolveTarget(target: string | ResolvedConfig): Promise<BenchmarkTarget> {
  if (typeof target !== 'string') return fromConfig(target);
  if (!/\.onnx$/i.test(target)) return fromConfig(loadConfig(target));
  const path = resolve(target);
  if (!existsSync(path) || !statSync(path).isFile()) {
    throw new OxvError('ERR_FILE_NOT_FOUND', `model file not found: ${path}`, { details: { file: path } });
  }
  const model = basename(path).replace(/\.onnx$/i, '');
  return { kind: 'onnx', path, model, onnx: path, inputs: await readOnnxInputs(path), runners: undefined };
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
    runners: config.raw.runners?.length ? [...config.runners] : undefined,
  };
}

/** A throwaway session: cheap, and never timed. */
async function readOnnxInputs(path: string): Promise<TensorInfo[]> {
  const { createNodeRunner } = await import('@oxidizedvision/runtime/node');
  const runner = await createNodeRunner(path, { intraOpThreads: 1, graphOptimizationLevel: 'disabled' });
  try {
    return [...runner.info().inputs];
  } finally {
    await runner.dispose();
  }
}
