import { loadavg } from 'node:os';
import type { ResolvedConfig } from '@oxidizedvision/tools';
import { gatherFacts } from './facts.js';
import { planInputs } from './inputs.js';
import { machineInfo } from './machine.js';
import { BENCHMARK_RUNNERS, type BenchmarkRunner } from './runner-names.js';
import { benchmarkRunner } from './run-runner.js';
import { planRunners } from './runners.js';
import { resolveSettings, type SettingsInput } from './settings.js';
import { resolveTarget } from './target.js';
import type {
  BenchmarkLibraryOptions,
  BenchmarkResult,
  InputShapeOverride,
  ModelBenchmarkReport,
  RunnerFailure,
} from './types.js';

export interface BenchmarkOptions extends BenchmarkLibraryOptions, SettingsInput {
  /** Runners to run; default: the config's `runners:` when it lists them, else every runner available. */
  runners?: BenchmarkRunner[] | undefined;
  /** Full shapes of inputs (first dim = batch); needed for a bare .onnx with symbolic dims other than batch. */
  inputShapes?: InputShapeOverride[] | undefined;
  /** Python interpreter that imports torch (else OXV_PYTHON, the config's python:, probing). */
  python?: string | undefined;
}

/**
 * Benchmarks a model on every runner (or the ones asked for) at each batch size. `target` is a config
 * (PyTorch, TorchScript and the ONNX runners on its converted files) or a path to a .onnx file (ONNX
 * runners only). Each runner runs in its own process, one after another, so no two compete for the CPU
 * and each one's peak memory is its own.
 */
export async function benchmarkModel(
  target: string | ResolvedConfig,
  options: BenchmarkOptions = {},
): Promise<ModelBenchmarkReport> {
  const started_at = new Date().toISOString();
  const load = loadavg();
  const emit = options.onProgress ?? (() => undefined);
  const resolved = await resolveTarget(target);
  const inputs = planInputs(resolved, options.inputShapes);
  const settings = resolveSettings(options, resolved, inputs);
  // A config's `runners:` counts as named by the user, as --runners does: a skip then fails the command.
  const requested = options.runners ?? resolved.runners;
  const facts = await gatherFacts(resolved, requested ?? BENCHMARK_RUNNERS, options);
  const plan = planRunners(requested, facts);
  const python = facts.python && !('error' in facts.python) ? facts.python : undefined;
  const steps = plan.run.length * settings.batch_sizes.length;
  emit({
    stage: 'plan',
    step: 0,
    steps,
    message: `Benchmarking ${resolved.model} on ${plan.run.join(', ') || 'no runner'} at batch size ${settings.batch_sizes.join(', ')}`,
  });
  for (const skip of plan.skipped)
    emit({ stage: 'plan', runner: skip.runner, message: `${skip.runner} skipped: ${skip.reason}` });

  const results: BenchmarkResult[] = [];
  const failures: RunnerFailure[] = [];
  for (const [index, runner] of plan.run.entries()) {
    const outcome = await benchmarkRunner(
      {
        runner,
        target: resolved,
        settings,
        templates: inputs.templates,
        python,
        requested: requested !== undefined,
        step: index * settings.batch_sizes.length,
        steps,
      },
      options,
    );
    results.push(...outcome.results);
    failures.push(...outcome.failures);
  }
  emit({
    stage: 'done',
    step: steps,
    steps,
    message: `Benchmarked ${results.length} runner × batch size combination(s)`,
  });
  return {
    kind: 'model',
    target: { kind: resolved.kind, path: resolved.path, model: resolved.model },
    started_at,
    settings,
    results,
    skipped: plan.skipped,
    failures,
    ok: !plan.skipped.some((s) => s.requested) && !failures.some((f) => f.requested),
    machine: machineInfo({ torch: python?.torch ?? null, python: python?.python ?? null }, load),
  };
}
