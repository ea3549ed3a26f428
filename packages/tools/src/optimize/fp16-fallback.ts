import { calibrationTensors, cloneModel, convertToFloat16, exposeTensors, type ModelProto } from '@oxidizedvision/onnx';
import { float16BitsToFloat32Array, type Tensor } from '@oxidizedvision/runtime';
import type { Feeds } from '../profile/inputs.js';
import { createModelRunner } from './ort-session.js';

/** Relative L2 error above which an fp16 tensor counts as drifted (fp16 keeps ~3 significant digits). */
const DRIFT = 1e-2;
const MAX_ROUNDS = 3;

export interface Fp16Outcome {
  model: ModelProto;
  blocked: { name: string; op_type: string }[];
  /** Nodes moved back to float32 because their fp16 output drifted or overflowed. */
  fallback: string[];
}

/**
 * fp16 conversion with automatic fallback: after converting, both models run on a sample with every
 * intermediate tensor exposed; a node whose output drifts (relative error > 1%, or Inf/NaN where fp32 is
 * finite: fp16 overflows at 65504) while its inputs did not is where the error starts, so it is blocked
 * and the conversion repeated, up to three rounds.
 */
export async function convertWithFallback(
  base: ModelProto,
  blockOps: string[],
  samples: Feeds[],
  auto: boolean,
  threads?: number,
): Promise<Fp16Outcome> {
  const fallback: string[] = [];
  for (let round = 0; ; round++) {
    const result = convertToFloat16(cloneModel(base), { blockOps, blockNodes: fallback });
    if (!auto || round === MAX_ROUNDS || samples.length === 0)
      return { model: result.model, blocked: result.blocked, fallback };
    const drifting = await driftOrigins(base, result.model, samples[0]!, threads);
    const fresh = drifting.filter((n) => !fallback.includes(n));
    if (fresh.length === 0) return { model: result.model, blocked: result.blocked, fallback };
    fallback.push(...fresh);
  }
}

async function driftOrigins(base: ModelProto, half: ModelProto, feeds: Feeds, threads?: number): Promise<string[]> {
  const names = calibrationTensors(base);
  const exposed = new Set(names);
  const run = async (m: ModelProto) => {
    const runner = await createModelRunner(exposeTensors(m, names), { threads, level: 'disabled' });
    // Float activations only: drift of an integer tensor (a shape, an index) is not what fp16 breaks.
    const outputs = runner
      .info()
      .outputs.filter((o) => exposed.has(o.name) && (o.dtype === 'float32' || o.dtype === 'float16'))
      .map((o) => o.name);
    try {
      return outputs.length === 0 ? {} : await runner.run(feeds, { outputs });
    } finally {
      await runner.dispose();
    }
  };
  const [full, reduced] = [await run(base), await run(half)];
  const error = new Map<string, number>();
  for (const name of names) {
    const a = full[name];
    const b = reduced[name];
    if (a && b) error.set(name, relativeError(a, b));
  }
  const origins: string[] = [];
  for (const node of base.graph!.node) {
    const out = Math.max(...node.output.map((o) => error.get(o) ?? 0));
    const inputs = Math.max(0, ...node.input.map((i) => error.get(i) ?? 0));
    if (out > DRIFT && inputs <= DRIFT) origins.push(node.name);
  }
  return origins;
}

function relativeError(a: Tensor, b: Tensor): number {
  const x = a.data as Float32Array;
  const y = toFloat(b);
  if (x.length !== y.length) return 0;
  let diff = 0;
  let norm = 0;
  for (let i = 0; i < x.length; i++) {
    if (Number.isFinite(x[i]!) && !Number.isFinite(y[i]!)) return Infinity;
    diff += (x[i]! - y[i]!) ** 2;
    norm += x[i]! ** 2;
  }
  return norm === 0 ? Math.sqrt(diff) : Math.sqrt(diff / norm);
}

function toFloat(t: Tensor): ArrayLike<number> {
  return t.dtype === 'float16' ? float16BitsToFloat32Array(t.data as Uint16Array) : (t.data as Float32Array);
}
