import {
  calibrationTensors,
  createHistogramCollector,
  createMinMaxCollector,
  exposeTensors,
  type CalibrationMethod,
  type ModelProto,
  type TensorRange,
} from '@oxidizedvision/onnx';
import { createSession } from './ort-session.js';
import type { OrtFeeds } from './samples.js';

/**
 * Activation ranges from running the float model on the calibration samples with every intermediate
 * float tensor exposed as an output. Percentile needs a second pass: histogram bounds come from the
 * min/max of the first.
 */
export async function calibrate(
  model: ModelProto,
  samples: OrtFeeds[],
  method: CalibrationMethod,
  threads?: number,
): Promise<Map<string, TensorRange>> {
  const names = calibrationTensors(model);
  const session = await createSession(exposeTensors(model, names), { threads, level: 'disabled' });
  const wanted = new Set(names);
  const pass = async (update: (name: string, values: Float32Array) => void) => {
    for (const feeds of samples) {
      const outputs = await session.run(feeds);
      for (const [name, tensor] of Object.entries(outputs)) {
        if (wanted.has(name) && tensor.type === 'float32') update(name, tensor.data as Float32Array);
      }
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
    await session.release();
  }
}
