import { existsSync, mkdirSync, mkdtempSync, renameSync, rmSync } from 'node:fs';
import { basename, join } from 'node:path';
import { MODEL_CARD_VERSION, OxvError, type CardFile, type ModelCard, type RunnerInfo } from '@oxidizedvision/runtime';
import { createNodeRunner } from '@oxidizedvision/runtime/node';
import { exportPaths } from '../config/export-paths.js';
import type { ResolvedConfig } from '../config/types.js';
import { findPython, type PythonInfo } from '../bridge/find-python.js';
import { runBridge } from '../bridge/run-bridge.js';
import { digestFile } from '../internal/files.js';
import { silentLogger, type LibraryOptions } from '../internal/logger.js';
import { TOOLS_VERSION } from '../internal/version.js';
import { writeModelCard } from '../model-card/card.js';
import { openRegistry } from '../registry/index.js';
import { modelSpec, type BridgeConvertResult } from './bridge-request.js';

export interface ConvertOptions extends LibraryOptions {
  /** `--python`; otherwise OXV_PYTHON, the config's `python:`, then probing. */
  python?: string | undefined;
  /** Skip registration even when the config asks for it (`--no-register`). */
  register?: boolean;
  /** Registry home (defaults to OXV_HOME or ~/.oxidizedvision). */
  registryHome?: string | undefined;
  /** `--randomize-weights`: redraw every parameter (seeded) before export; default model.randomize_weights. */
  randomizeWeights?: boolean | undefined;
}

/** The seed weights are redrawn with (the bridge's model seed: the same every run, so exports repeat). */
export const RANDOMIZE_SEED = 0;

function randomizeSeed(config: ResolvedConfig, options: ConvertOptions): number | null {
  if (!(options.randomizeWeights ?? config.model.randomize_weights)) return null;
  if (config.model.checkpoint || config.model.kind === 'torchscript') {
    throw new OxvError(
      'ERR_USAGE',
      `--randomize-weights needs a model without a checkpoint and not a TorchScript file (${config.file} names ${config.model.checkpoint ?? config.model.path})`,
    );
  }
  return RANDOMIZE_SEED;
}

export interface ConvertResult {
  name: string;
  files: { onnx: string; torchscript: string | null; weights: string | null; card: string };
  card: ModelCard;
  registered: { name: string; version: number } | null;
  python: PythonInfo;
}

async function cardFile(path: string): Promise<CardFile> {
  const digest = await digestFile(path);
  return { file: basename(path), ...digest };
}

/** Loads the staged ONNX file in onnxruntime-node: a file ORT cannot load is never published. */
async function checkLoads(path: string): Promise<RunnerInfo> {
  const runner = await createNodeRunner(path, { intraOpThreads: 1 });
  try {
    return runner.info();
  } finally {
    await runner.dispose();
  }
}

/** Moves staged files over the published ones; a failed conversion leaves the previous export intact. */
function publish(staged: string[], outputDir: string): void {
  for (const file of staged) renameSync(file, join(outputDir, basename(file)));
}

export async function convertModel(config: ResolvedConfig, options: ConvertOptions = {}): Promise<ConvertResult> {
  const logger = options.logger ?? silentLogger;
  const progress = (stage: string, message: string) => options.onProgress?.({ stage, message });
  const seed = randomizeSeed(config, options);
  progress('python', 'Looking for a Python with PyTorch');
  const python = await findPython({ flag: options.python, config: config.python, logger });
  progress('python', `Using ${python.python} (torch ${python.torch})`);

  const paths = exportPaths(config);
  mkdirSync(config.export.output_dir, { recursive: true });
  const staging = mkdtempSync(join(config.export.output_dir, '.oxv-staging-'));
  const staged = {
    onnx: join(staging, basename(paths.onnx)),
    torchscript: join(staging, basename(paths.torchscript)),
    weights: join(staging, basename(paths.weights)),
  };
  try {
    const result = await runBridge<BridgeConvertResult>(
      python.python,
      'convert',
      {
        model: modelSpec(config),
        inputs: config.model.inputs,
        output_names: config.model.output_names ?? null,
        export: config.export,
        paths: staged,
        save_weights: !config.model.checkpoint && config.model.kind !== 'torchscript',
        randomize_weights: seed,
      },
      { logger, onEvent: (e) => progress('export', e.message) },
    );
    progress('check', 'Loading the ONNX file in onnxruntime-node');
    const info = await checkLoads(staged.onnx);
    const card = await buildCard(config, python, result, info, staged, seed);
    publish(
      [
        result.files.onnx,
        result.files.torchscript,
        result.files.weights,
        ...result.external_data.map((f) => join(staging, f)),
      ].filter((f): f is string => !!f),
      config.export.output_dir,
    );
    // A weights file from an earlier conversion would no longer match; remove it when none was written now.
    if (!result.files.weights && existsSync(paths.weights)) rmSync(paths.weights);
    writeModelCard(paths.card, card);
    const registered =
      config.export.register && options.register !== false ? await register(config, card, paths, options) : null;
    if (registered) progress('register', `Registered ${registered.name} version ${registered.version}`);
    logger.debug({ onnx: paths.onnx, card: paths.card }, 'conversion complete');
    return {
      name: card.name,
      files: {
        onnx: paths.onnx,
        torchscript: result.files.torchscript ? paths.torchscript : null,
        weights: result.files.weights ? paths.weights : null,
        card: paths.card,
      },
      card,
      registered,
      python,
    };
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
}

async function buildCard(
  config: ResolvedConfig,
  python: PythonInfo,
  result: BridgeConvertResult,
  info: RunnerInfo,
  staged: { onnx: string },
  randomizedSeed: number | null,
): Promise<ModelCard> {
  const checkpointSha = config.model.checkpoint ? (await digestFile(config.model.checkpoint)).sha256 : null;
  return {
    card_version: MODEL_CARD_VERSION,
    name: config.export.model_name,
    created_at: new Date().toISOString(),
    // A torchvision family names its task (a detector is `detection`), so run need not be told.
    task: config.task ?? result.task_hint ?? null,
    labels: config.labels ? [...config.labels] : null,
    inputs: info.inputs,
    outputs: info.outputs,
    example_inputs: result.inputs,
    preprocess: config.preprocess,
    onnx: {
      ...(await cardFile(staged.onnx)),
      opset: config.export.opset_version,
      exporter: result.exporter,
      external_data: result.external_data,
      dynamic_axes: [...config.export.dynamic_axes],
    },
    torchscript: result.files.torchscript ? await cardFile(result.files.torchscript) : null,
    weights: result.files.weights ? await cardFile(result.files.weights) : null,
    source: {
      kind: config.model.kind,
      path: config.model.path,
      class_name: config.model.class_name ?? null,
      arch: config.model.arch ?? null,
      init_args: { ...config.model.init_args },
      checkpoint: config.model.checkpoint ?? null,
      checkpoint_sha256: checkpointSha,
      config: config.file,
      randomized_weights_seed: randomizedSeed,
    },
    pytorch: { torch_version: result.torch_version, parameters: result.parameters },
    python: { executable: python.python, version: python.python_version },
    converter: { name: 'oxidizedvision', version: TOOLS_VERSION },
  };
}

async function register(
  config: ResolvedConfig,
  card: ModelCard,
  paths: ReturnType<typeof exportPaths>,
  options: ConvertOptions,
) {
  const cardDigest = await digestFile(paths.card);
  const registry = openRegistry(options.registryHome ? { home: options.registryHome } : {});
  try {
    const file = (path: string, f: CardFile) => ({ path, sha256: f.sha256, bytes: f.bytes });
    const version = registry.addVersion({
      name: card.name,
      source: 'convert',
      files: {
        onnx: file(paths.onnx, card.onnx),
        ...(card.torchscript ? { torchscript: file(paths.torchscript, card.torchscript) } : {}),
        card: { path: paths.card, ...cardDigest },
      },
      metadata: {
        config: config.file,
        task: card.task,
        inputs: card.inputs,
        outputs: card.outputs,
        opset: card.onnx.opset,
        exporter: card.onnx.exporter,
        torch_version: card.pytorch.torch_version,
        parameters: card.pytorch.parameters.total,
      },
    });
    return { name: version.name, version: version.version };
  } finally {
    registry.close();
  }
}
