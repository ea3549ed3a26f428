import {
  calibrationTensors,
  createHistogramCollector,
  createMinMaxCollector,
  exposeTensors,
  type CalibrationMethod,
  type ModelProto,
  type TensorRange,
} from '@oxidizedvision/onnx';
import type { Feeds } from '../profile/inputs.js';
import { createModelRunner } from './ort-session.js';

/**
 * Activation ranges from running the float model on the calibration samples with every intermediate
 * float tensor exposed as an output. Percentile needs a second pass: histogram bounds come from the
 * min/max of the first.
 */
export async function calibrate(
  model: ModelProto,
  samples: Feeds[],
  method: CalibrationMethod,
  threads?: number,
): Promise<Map<string, TensorRange>> {
  const names = calibrationTensors(model);
  const runner = await createModelRunner(exposeTensors(model, names), { threads, level: 'disabled' });
  const wanted = new Set(names);
  // Only float32 activations get ranges; fetching just those also spares converting the rest.
  const outputs = runner
    .info()
    .outputs.filter((o) => wanted.has(o.name) && o.dtype === 'float32')
    .map((o) => o.name);
  const pass = async (update: (name: string, values: Float32Array) => void) => {
    if (outputs.length === 0) return;
    for (const feeds of samples) {
      const results = await runner.run(feeds, { outputs });
      for (const [name, tensor] of Object.entries(results)) update(name, tensor.data as Float32Array);
    }
  };
  try {
    const minmax = createMinMaxCollector();
    await pass((name, values) => minmax.update(name, values));
    if (method === 'minmax') return minmax.ranges();
    const histogram = createHistogramCollector(minmax.ranges());
    await pass((name, values) => histogram.update(name, values));
    return histogram.ranges();
  } finally {
    await runner.dispose();
  }
}
