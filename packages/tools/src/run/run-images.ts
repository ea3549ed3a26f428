import { existsSync, mkdirSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { OxvError } from '@oxidizedvision/runtime';
import { silentLogger } from '../internal/logger.js';
import { expandInputs, planOutputs, type PlannedOutput } from './inputs.js';
import { mapLimit } from './map-limit.js';
import { createInferencePool } from './pool.js';
import { processFile } from './process-file.js';
import { resolveModel } from './resolve-model.js';
import { resolveRunSettings } from './resolve-settings.js';
import type { RunFileResult, RunImagesOptions, RunSettings, RunSummary } from './types.js';

/** Every output path, checked before anything runs: no two inputs may write one file, nothing is overwritten. */
function planAll(files: string[], settings: RunSettings, out: string): Map<string, PlannedOutput[]> {
  const plans = new Map(files.map((f) => [f, planOutputs(f, out, settings.task, settings.format)]));
  const owners = new Map<string, string>();
  for (const [input, outputs] of plans) {
    for (const { path } of outputs) {
      const other = owners.get(path);
      if (other) {
        throw new OxvError('ERR_USAGE', `${other} and ${input} would both be written to ${path}`, {
          hint: 'run them into different output folders',
        });
      }
      owners.set(path, input);
    }
  }
  const existing = [...owners.keys()].filter((p) => existsSync(p));
  if (existing.length > 0 && !settings.overwrite) {
    throw new OxvError(
      'ERR_OUTPUT_EXISTS',
      `${existing.length} output file(s) already exist, e.g. ${existing[0]}; nothing was written`,
      { hint: 'pass --overwrite to replace them, or choose another -o folder', details: { files: existing } },
    );
  }
  return plans;
}

/**
 * Classification writes no files, detection only when given a folder (its result is the JSON); the other
 * tasks need one. The folder must not be a file.
 */
function resolveOut(settings: RunSettings, out: string | undefined): string {
  if (settings.task === 'classification' || (settings.task === 'detection' && !out)) return '';
  if (!out) throw new OxvError('ERR_USAGE', `-o/--out is required: ${settings.task} writes images`);
  const dir = resolve(out);
  if (existsSync(dir) && !statSync(dir).isDirectory()) {
    throw new OxvError('ERR_OUTPUT_WRITE', `output folder ${dir} is a file`);
  }
  return dir;
}

/**
 * `run`: images in, results out. Resolves the model, expands inputs, plans every output (refusing before
 * any work if one exists), then streams files through a bounded pipeline. A file that fails is recorded
 * and skipped; the summary says which, and the caller decides the exit code.
 */
export async function runImages(
  model: string,
  inputs: readonly string[],
  options: RunImagesOptions,
): Promise<RunSummary> {
  const logger = options.logger ?? silentLogger;
  const resolved = resolveModel(model, options.registryHome);
  const files = expandInputs(inputs);
  const started = performance.now();
  const pool = await createInferencePool(resolved.onnx, { workers: options.workers, threads: options.threads });
  const modelLoad = performance.now() - started;
  try {
    const settings = resolveRunSettings(resolved, pool.info, options);
    const out = resolveOut(settings, options.out);
    const plans = planAll(files, settings, out);
    if (out) mkdirSync(out, { recursive: true });
    logger.debug({ settings, workers: pool.workers, threads: pool.threads }, 'run settings');
    options.onProgress?.({
      stage: 'run',
      message: `Running ${resolved.name} (${settings.task}) on ${files.length} image(s)`,
    });
    let done = 0;
    // Two files per worker in flight: one decoding/encoding while the other is inferred.
    const results = await mapLimit(files, pool.workers * 2 + 1, async (input): Promise<RunFileResult> => {
      const t0 = performance.now();
      let result: RunFileResult;
      try {
        const { written, predictions, detections } = await processFile(input, plans.get(input)!, settings, pool);
        result = {
          input,
          ok: true,
          outputs: written,
          ...(predictions ? { predictions } : {}),
          ...(detections ? { detections } : {}),
          ms: performance.now() - t0,
        };
      } catch (error) {
        const err = error as { code?: string; message?: string };
        logger.debug(`${input}: ${err.message ?? String(error)}`);
        result = {
          input,
          ok: false,
          outputs: [],
          error: { code: err.code ?? 'ERR_INFERENCE', message: err.message ?? String(error) },
          ms: performance.now() - t0,
        };
      }
      options.onFile?.(result, ++done, files.length);
      return result;
    });
    const wall = performance.now() - started;
    const succeeded = results.filter((r) => r.ok).length;
    return {
      model: resolved.name,
      task: settings.task,
      total: files.length,
      succeeded,
      failed: files.length - succeeded,
      wall_ms: wall,
      model_load_ms: modelLoad,
      images_per_second: succeeded / (wall / 1000),
      workers: pool.workers,
      threads: pool.threads,
      files: results,
    };
  } finally {
    await pool.close();
  }
}
