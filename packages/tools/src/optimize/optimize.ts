import { dirname, basename, join } from 'node:path';
import { statSync } from 'node:fs';
import { analyzeModel, cloneModel, quantizeQdq, quantizeWeightsOnly, type ModelProto } from '@oxidizedvision/onnx';
import { readModel, writeModel } from '@oxidizedvision/onnx/node';
import { OxvError } from '@oxidizedvision/runtime';
import { digestFile } from '../internal/files.js';
import { silentLogger } from '../internal/logger.js';
import { writeModelCard } from '../model-card/card.js';
import type { Feeds } from '../profile/inputs.js';
import { dimsFromCard, resolveModelTarget } from '../profile/target.js';
import { calibrate } from './calibrate.js';
import { compareAccuracy, compareSpeed } from './evaluate.js';
import { convertWithFallback } from './fp16-fallback.js';
import { executedOpCounts, optimizeWithOrt } from './ort-session.js';
import { derivedCard, findRegisteredVersion, registerOptimized } from './register.js';
import { imageSamples, randomSamples } from './samples.js';
import type { OptimizeOptions, OptimizeReport } from './types.js';

/**
 * Optimizes (and optionally quantizes) a model, then measures it against the original fp32 model in the
 * same process: size, interleaved latency, and accuracy on the same inputs. Nothing is written when the
 * accuracy is below `minCosine`; otherwise the file is written atomically, with a model card beside it
 * when the input had one, and registered as a new version when the input is a registered model.
 */
export async function optimizeModel(input: string, options: OptimizeOptions): Promise<OptimizeReport> {
  const logger = options.logger ?? silentLogger;
  const progress = (stage: string, message: string) => options.onProgress?.({ stage, message });
  const level = options.level ?? 'basic';
  const quantize = options.quantize ?? null;
  const warnings: string[] = [];
  const warn = (message: string) => {
    warnings.push(message);
    logger.warn(message);
  };
  if (quantize && level !== 'basic') {
    throw new OxvError('ERR_USAGE', `--quantize ${quantize} works on the portable graph: drop --level ${level}`, {
      hint: "quantized models are optimized further by onnxruntime when they load; a machine-specific graph can't be quantized",
    });
  }
  const target = resolveModelTarget(input);
  progress('read', `Reading ${target.onnx}`);
  const original = await readModel(target.onnx);
  const fp32 = original.model;
  const analysis = analyzeModel(fp32, { dims: { ...dimsFromCard(target.card), ...options.dims } });
  const seed = options.seed ?? 0;
  const steps: string[] = [];

  progress('optimize', `onnxruntime offline optimization (${level})`);
  if (level === 'all')
    warn(
      '--level all bakes in the NCHWc layout for this CPU: the file runs only on machines with the same instruction set',
    );
  let result: ModelProto = await optimizeWithOrt(fp32, level);
  steps.push(
    `onnxruntime ${level} graph optimization (${fp32.graph!.node.length} → ${result.graph!.node.length} nodes)`,
  );

  let calibration: Feeds[] = [];
  const report: Pick<OptimizeReport, 'int8' | 'int8_weights' | 'fp16'> = { int8: null, int8_weights: null, fp16: null };
  if (quantize === 'int8') {
    const count = options.calibrationSamples ?? 16;
    const method = options.calibrationMethod ?? 'minmax';
    calibration = options.calibrate
      ? await imageSamples(options.calibrate, target.card, analysis.inputs, count, warn)
      : randomSamples(analysis.inputs, analysis.dims, count, seed);
    if (!options.calibrate)
      warn(
        'calibrating on seeded random inputs: pass --calibrate DIR with real images for representative activation ranges',
      );
    progress(
      'calibrate',
      `Calibrating on ${calibration.length} ${options.calibrate ? 'image' : 'random'} sample(s) (${method})`,
    );
    const ranges = await calibrate(result, calibration, method, options.threads);
    const q = quantizeQdq(cloneModel(result), { ranges });
    result = q.model;
    progress('verify', 'Checking what onnxruntime fuses');
    const executed = await executedOpCounts(result);
    for (const kept of q.keptFloat) logger.info(`kept in float: ${kept.name} (${kept.op_type}): ${kept.reason}`);
    steps.push(
      `int8 QDQ: ${q.quantized.length} nodes quantized, ${q.foldedActivations.length} ReLU/Clip folded, ${q.keptFloat.length} kept float`,
    );
    report.int8 = {
      calibration: { source: options.calibrate ? 'images' : 'random', samples: calibration.length, method },
      quantized_nodes: q.quantized.length,
      kept_float: q.keptFloat,
      folded_activations: q.foldedActivations.length,
      executed_ops: executed,
    };
  } else if (quantize === 'int8-dynamic') {
    const q = quantizeWeightsOnly(result);
    result = q.model;
    steps.push(`int8 weights: ${q.quantized.length} MatMul/Gemm weight(s) stored as int8`);
    report.int8_weights = { quantized: q.quantized };
  } else if (quantize === 'fp16') {
    const samples = randomSamples(analysis.inputs, analysis.dims, 1, seed + 7);
    progress('fp16', 'Converting to float16 and checking each node for drift');
    const fp16 = await convertWithFallback(
      result,
      options.keepFp32 ?? [],
      samples,
      options.autoFallback ?? true,
      options.threads,
    );
    result = fp16.model;
    if (fp16.fallback.length) warn(`kept in float32 because their fp16 output drifted: ${fp16.fallback.join(', ')}`);
    steps.push(
      `float16: ${fp16.blocked.length} node(s) kept float32 (${fp16.fallback.length} after drift checks), I/O kept float32`,
    );
    report.fp16 = { blocked: fp16.blocked, fallback: fp16.fallback };
  }

  // Accuracy on held-out inputs: the calibration images when given (the real distribution), else fresh seeds.
  const evaluation =
    calibration.length && options.calibrate
      ? calibration.slice(0, 8)
      : randomSamples(analysis.inputs, analysis.dims, 4, seed + 100_000);
  progress('accuracy', `Comparing outputs with the fp32 model on ${evaluation.length} input(s)`);
  const { outputs: accuracy, detections } = await compareAccuracy(fp32, result, evaluation, options.threads);
  if (detections && detections.matched < detections.reference) {
    warn(
      `the ${quantize ?? 'optimized'} model found ${detections.matched} of the fp32 model's ${detections.reference} detections (score ≥ ${detections.threshold})` +
        (quantize === 'int8' && !options.calibrate ? '; calibrate on real images (--calibrate DIR)' : ''),
    );
  }
  const cosine = Math.min(...accuracy.map((a) => a.cosine));
  const runs = options.speedRuns ?? 30;
  progress('speed', `Timing both models, interleaved, ${runs} runs each`);
  const speed = await compareSpeed(fp32, result, evaluation[0]!, runs, options.threads);
  if (quantize && speed.speedup < 1)
    warn(`the ${quantize} model is slower than fp32 here (${speed.speedup.toFixed(2)}×)`);

  if (options.minCosine !== undefined && !(cosine >= options.minCosine)) {
    const worst = accuracy.find((a) => a.cosine === cosine)!;
    throw new OxvError(
      'ERR_ACCURACY',
      `${quantize ?? 'optimized'} result rejected: cosine ${cosine.toFixed(4)} < --min-cosine ${options.minCosine} (output "${worst.output}"); nothing written`,
      {
        details: { accuracy, speed },
        hint:
          quantize === 'int8'
            ? 'calibrate on real images (--calibrate DIR) or try --calibration-method percentile'
            : undefined,
      },
    );
  }

  progress('write', `Writing ${options.output}`);
  await writeModel(options.output, result);
  const after = statSync(options.output).size;
  const before = original.bytes + original.externalBytes;
  const cardPath = target.card ? await writeCard(target.card, options.output) : null;
  const parent = options.register === false ? undefined : findRegisteredVersion(target.onnx, options.registryHome);
  const notes = steps.join('; ');
  const registered = parent
    ? await registerOptimized(
        parent,
        { onnx: options.output, card: cardPath },
        {
          optimize: { level, quantize, cosine, speedup: speed.speedup, size_ratio: after / before },
        },
        notes,
        options.registryHome,
      )
    : null;
  if (registered)
    progress(
      'register',
      `Registered ${registered.name} version ${registered.version} (from version ${registered.parent_version})`,
    );
  return {
    input: target.onnx,
    output: options.output,
    level,
    quantize,
    steps,
    size: { before_bytes: before, after_bytes: after, ratio: after / before },
    speed,
    accuracy,
    detections,
    cosine,
    min_cosine: options.minCosine ?? null,
    ...report,
    warnings,
    card: cardPath,
    registered,
  };
}

async function writeCard(
  card: NonNullable<ReturnType<typeof resolveModelTarget>['card']>,
  onnx: string,
): Promise<string> {
  const digest = await digestFile(onnx);
  const path = join(dirname(onnx), `${basename(onnx).replace(/\.onnx$/i, '')}.card.json`);
  writeModelCard(path, derivedCard(card, basename(onnx), digest.sha256, digest.bytes));
  return path;
}
