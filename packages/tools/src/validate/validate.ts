import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { OxvError, isOxvError, type ModelCard, type Runner, type Tensor } from '@oxidizedvision/runtime';
import { createNodeRunner } from '@oxidizedvision/runtime/node';
import { createWebRunner } from '@oxidizedvision/runtime/web';
import { exportPaths } from '../config/export-paths.js';
import type { ResolvedConfig } from '../config/types.js';
import { findPython } from '../bridge/find-python.js';
import { modelSpec } from '../convert/bridge-request.js';
import { digestFile } from '../internal/files.js';
import { silentLogger, type LibraryOptions } from '../internal/logger.js';
import { readModelCard } from '../model-card/card.js';
import { makeTestInputs } from './inputs.js';
import { addImageInputs } from './image-inputs.js';
import { judge } from './judge.js';
import { degenerateOutputs, type DegenerateOutput } from './degenerate.js';
import { variableLengthOutputs } from './detections.js';
import { pytorchReference } from './reference.js';
import {
  VALIDATE_TARGETS,
  type Comparison,
  type TargetFailure,
  type Tolerances,
  type ValidateTarget,
  type ValidationReport,
} from './types.js';

export interface ValidateOptions extends LibraryOptions {
  python?: string | undefined;
  /** Targets to compare with PyTorch; default: the config's runners (all three when it lists none). */
  targets?: ValidateTarget[] | undefined;
  numTests?: number | undefined;
  seed?: number | undefined;
  /** A folder of images also compared (default: validation.images). */
  images?: string | undefined;
  tolerances?: Partial<Tolerances>;
  /** `--allow-degenerate`: accept constant, all-zero or negligible reference outputs (default: validation.allow_degenerate). */
  allowDegenerate?: boolean | undefined;
}

/**
 * The weights validate rebuilds PyTorch with: exactly those exported. The original compared against a
 * freshly initialised model, so every model without a checkpoint "failed"; and a checkpoint edited after
 * conversion would make the comparison meaningless, so its hash must still match the card's.
 */
async function referenceWeights(config: ResolvedConfig, card: ModelCard): Promise<string | undefined> {
  if (card.weights) {
    const path = join(config.export.output_dir, card.weights.file);
    if (!existsSync(path) || (await digestFile(path)).sha256 !== card.weights.sha256) {
      throw new OxvError('ERR_CHECKPOINT', `The exported weights ${path} are missing or changed since convert`, {
        hint: 'Re-run convert.',
      });
    }
    return path;
  }
  const checkpoint = config.model.checkpoint;
  if (
    checkpoint &&
    card.source.checkpoint_sha256 &&
    (await digestFile(checkpoint)).sha256 !== card.source.checkpoint_sha256
  ) {
    throw new OxvError('ERR_CHECKPOINT', `Checkpoint ${checkpoint} changed since it was converted`, {
      hint: 'Re-run convert so the ONNX file has the same weights.',
    });
  }
  return checkpoint;
}

function checkCardMatchesConfig(config: ResolvedConfig, card: ModelCard): void {
  const now = JSON.stringify([
    config.model.kind,
    config.model.path,
    config.model.class_name ?? null,
    config.model.init_args,
  ]);
  const then = JSON.stringify([card.source.kind, card.source.path, card.source.class_name, card.source.init_args]);
  if (now !== then) {
    throw new OxvError(
      'ERR_MODEL_CARD',
      `The model section of ${config.file} changed since ${card.name} was converted`,
      {
        hint: 'Re-run convert.',
      },
    );
  }
}

async function runOrt(
  target: ValidateTarget,
  onnx: string,
  feeds: Record<string, Tensor>[],
): Promise<Record<string, Tensor>[]> {
  const runner: Runner = target === 'onnxruntime-node' ? await createNodeRunner(onnx) : await createWebRunner(onnx);
  try {
    const outputs: Record<string, Tensor>[] = [];
    for (const feed of feeds) outputs.push(await runner.run(feed));
    return outputs;
  } finally {
    await runner.dispose();
  }
}

function failure(target: ValidateTarget, err: unknown): TargetFailure {
  return {
    target,
    code: isOxvError(err) ? err.code : 'ERR_INFERENCE',
    message: err instanceof Error ? err.message : String(err),
  };
}

export async function validateModel(config: ResolvedConfig, options: ValidateOptions = {}): Promise<ValidationReport> {
  const logger = options.logger ?? silentLogger;
  const progress = (stage: string, message: string) => options.onProgress?.({ stage, message });
  const paths = exportPaths(config);
  const card = readModelCard(paths.card);
  checkCardMatchesConfig(config, card);
  const targets = options.targets ?? (config.runners.filter((r) => r !== 'pytorch') as ValidateTarget[]);
  const unknown = targets.filter((t) => !VALIDATE_TARGETS.includes(t));
  if (targets.length === 0 || unknown.length > 0) {
    throw new OxvError(
      'ERR_USAGE',
      `validate targets must be some of ${VALIDATE_TARGETS.join(', ')} (got ${targets.join(', ') || 'none'})`,
    );
  }
  const tolerances: Tolerances = {
    mae: options.tolerances?.mae ?? config.validation.tolerance_mae,
    cosine: options.tolerances?.cosine ?? config.validation.tolerance_cos_sim,
    max_abs: options.tolerances?.max_abs ?? config.validation.tolerance_max_abs,
  };
  const numTests = options.numTests ?? config.validation.num_tests;
  const seed = options.seed ?? config.validation.seed;

  const python = await findPython({ flag: options.python, config: config.python, logger });
  const checkpoint = await referenceWeights(config, card);
  const tests = makeTestInputs(card.example_inputs, numTests, seed);
  try {
    const imagesDir = options.images ?? config.validation.images;
    if (imagesDir) {
      const count = await addImageInputs(tests, card.example_inputs, imagesDir, card.preprocess);
      progress('images', `Added ${count} image(s) from ${imagesDir}`);
    }
    progress('reference', `Running PyTorch (torch ${python.torch}) on ${tests.feeds.length} input(s)`);
    const reference = await pytorchReference(
      python.python,
      {
        model: modelSpec(config, checkpoint),
        torchscript: card.torchscript ? join(config.export.output_dir, card.torchscript.file) : null,
        runners: ['pytorch', ...(targets.includes('torchscript') ? ['torchscript'] : [])],
        inputs: card.example_inputs,
        outputNames: card.outputs.map((o) => o.name),
        tests,
      },
      logger,
      (message) => progress('reference', message),
    );
    const pytorchError = reference.errors.pytorch;
    if (pytorchError)
      throw new OxvError(pytorchError.code as never, `PyTorch reference failed: ${pytorchError.message}`);
    const expected = reference.outputs.pytorch!;
    const variable = variableLengthOutputs(card.outputs);
    const kinds = (['random', 'images'] as const).map((kind) => ({
      kind,
      picked: tests.kinds.flatMap((k, i) => (k === kind ? [i] : [])),
    }));
    const degenerate: DegenerateOutput[] = kinds.flatMap(({ kind, picked }) =>
      picked.length
        ? degenerateOutputs(
            picked.map((i) => expected[i]!),
            kind,
          )
        : [],
    );
    const allowDegenerate = options.allowDegenerate ?? config.validation.allow_degenerate;

    const comparisons: Comparison[] = [];
    const failures: TargetFailure[] = [];
    for (const target of targets) {
      progress('compare', `Running ${target}`);
      try {
        const outputs =
          target === 'torchscript'
            ? (reference.outputs.torchscript ?? throwBridgeFailure(reference.errors.torchscript))
            : await runOrt(target, paths.onnx, tests.feeds);
        for (const { kind, picked } of kinds) {
          if (picked.length === 0) continue;
          const pick = <T>(all: T[]) => picked.map((i) => all[i]!);
          comparisons.push(...judge(target, kind, pick(expected), pick(outputs), tolerances, variable));
        }
      } catch (err) {
        logger.debug({ err }, `${target} failed`);
        failures.push(failure(target, err));
      }
    }
    const passed =
      failures.length === 0 && comparisons.every((c) => c.passed) && (allowDegenerate || degenerate.length === 0);
    return {
      passed,
      model: card.name,
      seed,
      num_tests: numTests,
      tolerances,
      torch_version: reference.torchVersion,
      comparisons,
      failures,
      degenerate,
      allow_degenerate: allowDegenerate,
    };
  } finally {
    rmSync(tests.dir, { recursive: true, force: true });
  }
}

function throwBridgeFailure(error: { code: string; message: string } | undefined): never {
  throw new OxvError((error?.code ?? 'ERR_INFERENCE') as never, error?.message ?? 'TorchScript produced no outputs');
}
