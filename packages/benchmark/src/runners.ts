import { existsSync } from 'node:fs';
import { relative } from 'node:path';
import type { PythonInfo } from '@oxidizedvision/tools';
import { BENCHMARK_RUNNERS, type BenchmarkRunner } from './runner-names.js';
import type { BenchmarkTarget } from './target.js';
import type { SkippedRunner } from './types.js';

export const PYTHON_RUNNERS: readonly BenchmarkRunner[] = ['pytorch', 'torchscript'];

/** Everything runner selection depends on, gathered once so the choice itself is a pure function. */
export interface RunnerFacts {
  target: BenchmarkTarget;
  /** The Python that imports torch, or why there is none; undefined when no Python runner is a candidate. */
  python: PythonInfo | { error: string } | undefined;
  /** Missing GPU provider libraries (checkProviderLibraries), or why the provider cannot exist here. */
  gpu: Record<'cuda' | 'tensorrt', { available: true } | { available: false; reason: string }>;
  exists?: (path: string) => boolean;
}

export interface RunnerPlan {
  run: BenchmarkRunner[];
  skipped: SkippedRunner[];
}

function convertHint(target: BenchmarkTarget): string {
  const shown = relative(process.cwd(), target.path) || target.path;
  return `run \`oxidizedvision convert ${shown}\` first`;
}

/** Why a runner cannot run on this target here, or undefined when it can. */
export function unavailableReason(runner: BenchmarkRunner, facts: RunnerFacts): string | undefined {
  const { target } = facts;
  const exists = facts.exists ?? existsSync;
  if (runner === 'pytorch' || runner === 'torchscript') {
    if (target.kind === 'onnx')
      return `a bare .onnx file has no PyTorch model; benchmark its config to include ${runner}`;
    if (facts.python && 'error' in facts.python) return `no Python with PyTorch: ${facts.python.error}`;
    if (runner === 'torchscript') {
      if (!target.config.export.torchscript) {
        return 'export.torchscript is false in the config, so convert wrote no TorchScript file';
      }
      if (!exists(target.torchscript)) return `no TorchScript file at ${target.torchscript}; ${convertHint(target)}`;
    }
    return undefined;
  }
  if (!exists(target.onnx)) return `no ONNX file at ${target.onnx}; ${convertHint(target)}`;
  if (runner === 'onnxruntime-node-cuda' || runner === 'onnxruntime-node-tensorrt') {
    const status = facts.gpu[runner === 'onnxruntime-node-cuda' ? 'cuda' : 'tensorrt'];
    return status.available ? undefined : status.reason;
  }
  return undefined;
}

/**
 * The runners to run, in a stable order, and every other candidate with the reason it cannot run.
 * `requested` lists what the user named (--runners or the config's runners:); without it every runner is
 * a candidate and a missing one is only reported, never an error.
 */
export function planRunners(requested: readonly BenchmarkRunner[] | undefined, facts: RunnerFacts): RunnerPlan {
  const candidates = requested ? BENCHMARK_RUNNERS.filter((r) => requested.includes(r)) : BENCHMARK_RUNNERS;
  const plan: RunnerPlan = { run: [], skipped: [] };
  for (const runner of candidates) {
    const reason = unavailableReason(runner, facts);
    if (reason === undefined) plan.run.push(runner);
    else plan.skipped.push({ runner, reason, requested: requested !== undefined });
  }
  return plan;
}
