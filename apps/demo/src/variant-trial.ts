/**
 * Choosing between a model's variants (fp32, fp16, int8 QDQ…) on the backend in use, by measuring them:
 * which is fastest depends on the backend and the machine (an int8 QDQ resnet18 ran 2.8× faster than fp32
 * in onnxruntime-node here, and slower in WASM), so nothing about it is assumed.
 */
import { createRng, imageToTensor, type RawImage } from '@oxidizedvision/runtime';
import type { ModelSpec } from './model-spec.js';
import type { TrialProgress, TrialResult } from './protocol.js';
import { ms } from './view.js';

/** Timed runs per variant after one warm-up: `?trialRuns=N` overrides (the median of 3 is the default). */
export function trialRuns(query: URLSearchParams): number {
  const asked = Number(query.get('trialRuns'));
  return Number.isInteger(asked) && asked >= 1 && asked <= 20 ? asked : 3;
}

/**
 * A reproducible input of exactly the shape and dtype the model gets from a real image: seeded random
 * pixels at the model's input size, through the same `imageToTensor` as a run.
 */
export function seededInput(spec: ModelSpec, seed = 7): { shape: number[]; data: Float32Array } {
  const [height, width] = spec.preprocess.size;
  const rng = createRng(seed);
  const data = new Uint8Array(width * height * 4).map(() => Math.floor(rng.next() * 256));
  const image: RawImage = { width, height, channels: 4, data };
  const { tensor } = imageToTensor(image, spec.preprocess);
  return { shape: [...tensor.shape], data: tensor.data };
}

/** "picked default on wasm: 210.0 ms vs int8 480.0 ms (median of 3 runs)", plus any variant that failed. */
export function describeTrial(trial: TrialResult): string {
  const picked = trial.timings.find((t) => t.variant === trial.picked)!;
  const others = trial.timings.filter((t) => t !== picked).map((t) => `${t.variant} ${ms(t.medianMs)}`);
  const failed = trial.failed.map((f) => `; ${f.variant} could not run: ${f.message}`).join('');
  const versus = others.length > 0 ? ` vs ${others.join(', ')}` : '';
  return `picked ${picked.variant} on ${trial.provider}: ${ms(picked.medianMs)}${versus} (median of ${trial.runs} runs)${failed}`;
}

export function describeProgress(progress: TrialProgress, provider: string): string {
  const step = progress.run === 0 ? 'loading and warming up' : `run ${progress.run} of ${progress.runs}`;
  return `Measuring the variants on ${provider}: ${progress.variant} (${progress.index} of ${progress.of}), ${step}…`;
}
