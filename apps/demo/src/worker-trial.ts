/**
 * The variant trial, inside the worker: each variant is loaded in turn on the backend already chosen,
 * warmed up once and timed on the same input; the fastest stays loaded and the others are disposed as
 * soon as they lose, so at most two sessions exist at a time.
 */
import { createTensor, type Runner } from '@oxidizedvision/runtime';
import type { BackendChoice, TrialProgress, TrialRequest, TrialResult, VariantTiming } from './protocol.js';

type CreateRunner = (model: Uint8Array) => Promise<Runner>;

interface Contender {
  variant: string;
  runner: Runner;
  loadMs: number;
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** Input and output names and dtypes: a variant that differs cannot stand in for the served model. */
const signature = (runner: Runner): string => {
  const info = runner.info();
  const names = (list: { name: string; dtype: string }[]) => list.map((t) => `${t.name}: ${t.dtype}`).join(', ');
  return `inputs (${names(info.inputs)}), outputs (${names(info.outputs)})`;
};

export async function runTrial(
  request: TrialRequest,
  loaded: Contender,
  choice: BackendChoice,
  createRunner: CreateRunner,
  onProgress: (progress: TrialProgress) => void,
): Promise<{ result: TrialResult; winner: Contender }> {
  const of = 1 + request.others.length;
  const expected = signature(loaded.runner);
  const timings: VariantTiming[] = [];
  const failed: TrialResult['failed'] = [];
  let best: (Contender & { medianMs: number }) | undefined;

  const measure = async (contender: Contender, index: number): Promise<void> => {
    const { runner, variant } = contender;
    const feeds = { [runner.info().inputs[0]!.name]: createTensor('float32', request.shape, request.input) };
    const report = (run: number) => onProgress({ variant, index, of, run, runs: request.runs });
    report(0);
    await runner.run(feeds); // warm-up: first runs pay for kernel selection and memory planning
    const timesMs: number[] = [];
    for (let i = 0; i < request.runs; i++) {
      const started = performance.now();
      await runner.run(feeds);
      timesMs.push(performance.now() - started);
      report(i + 1);
    }
    const medianMs = median(timesMs);
    timings.push({ variant, loadMs: contender.loadMs, timesMs, medianMs });
    if (best === undefined || medianMs < best.medianMs) {
      await best?.runner.dispose();
      best = { ...contender, medianMs };
    } else {
      await runner.dispose();
    }
  };

  const attempt = async (variant: string, index: number, get: () => Promise<Contender>): Promise<void> => {
    let contender: Contender | undefined;
    try {
      contender = await get();
      const found = signature(contender.runner);
      if (found !== expected) throw new Error(`its ${found} differ from the served model's ${expected}`);
      await measure(contender, index);
    } catch (error) {
      if (contender && best?.runner !== contender.runner) await contender.runner.dispose().catch(() => {});
      failed.push({ variant, message: (error as Error).message ?? String(error) });
    }
  };

  await attempt(loaded.variant, 1, async () => loaded);
  for (const [i, other] of request.others.entries()) {
    onProgress({ variant: other.variant, index: i + 2, of, run: 0, runs: request.runs });
    await attempt(other.variant, i + 2, async () => {
      const started = performance.now();
      const runner = await createRunner(other.model);
      return { variant: other.variant, runner, loadMs: performance.now() - started };
    });
  }
  if (best === undefined) {
    throw new Error(`no variant ran: ${failed.map((f) => `${f.variant}: ${f.message}`).join('; ')}`);
  }
  return {
    result: { picked: best.variant, provider: choice.provider, runs: request.runs, timings, failed },
    winner: best,
  };
}
