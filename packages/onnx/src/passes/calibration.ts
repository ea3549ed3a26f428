import { create } from '@bufbuild/protobuf';
import { inferShapes } from '../analysis/shape-inference.js';
import { realInputs } from '../graph/graph-index.js';
import { ValueInfoProtoSchema, type ModelProto } from '../proto/onnx_pb.js';
import { DataType } from '../tensor/data-type.js';
import type { TensorRange } from './int8-qdq.js';

export type CalibrationMethod = 'minmax' | 'percentile';

/** Float activations worth a range: real graph inputs and every float node output. */
export function calibrationTensors(model: ModelProto): string[] {
  const graph = model.graph!;
  const facts = inferShapes(model);
  const names = new Set<string>();
  for (const input of realInputs(graph)) if (facts.get(input.name)?.dtype === DataType.FLOAT) names.add(input.name);
  for (const node of graph.node) {
    for (const out of node.output) {
      const dtype = facts.get(out)?.dtype;
      // Unknown dtype (an op without a shape rule) is collected too; the runtime reports its real type.
      if (out && (dtype === DataType.FLOAT || dtype === 0 || dtype === undefined)) names.add(out);
    }
  }
  return [...names];
}

/**
 * A copy of the model that also outputs `names` (onnxruntime accepts outputs declared by name only), so
 * one run yields every intermediate activation, as onnxruntime's own calibrator does.
 */
export function exposeTensors(model: ModelProto, names: readonly string[]): ModelProto {
  const copy = { ...model, graph: { ...model.graph!, output: [...model.graph!.output] } } as ModelProto;
  const present = new Set(copy.graph!.output.map((o) => o.name));
  for (const name of names) if (!present.has(name)) copy.graph!.output.push(create(ValueInfoProtoSchema, { name }));
  return copy;
}

/** Running min/max per tensor over all calibration samples. */
export function createMinMaxCollector() {
  const ranges = new Map<string, TensorRange>();
  return {
    update(name: string, values: ArrayLike<number>): void {
      let { min, max } = ranges.get(name) ?? { min: Infinity, max: -Infinity };
      for (let i = 0; i < values.length; i++) {
        const v = values[i]!;
        if (v < min) min = v;
        if (v > max) max = v;
      }
      ranges.set(name, { min, max });
    },
    ranges(): Map<string, TensorRange> {
      return new Map([...ranges].filter(([, r]) => Number.isFinite(r.min) && Number.isFinite(r.max)));
    },
  };
}

const BINS = 2048;

/**
 * Percentile ranges: a second pass histograms each tensor over its min/max range (from a first, min/max
 * pass), then clips both tails at `percentile` (onnxruntime's default is 99.999), which keeps a few
 * outliers from stretching the scale of every other value.
 */
export function createHistogramCollector(bounds: ReadonlyMap<string, TensorRange>, percentile = 99.999) {
  if (!(percentile > 50 && percentile <= 100))
    throw new RangeError(`percentile must be in (50, 100], got ${percentile}`);
  const histograms = new Map<string, Float64Array>();
  return {
    update(name: string, values: ArrayLike<number>): void {
      const range = bounds.get(name);
      if (!range) return;
      let hist = histograms.get(name);
      if (!hist) histograms.set(name, (hist = new Float64Array(BINS)));
      const width = (range.max - range.min) / BINS;
      if (!(width > 0)) return;
      for (let i = 0; i < values.length; i++) {
        const bin = Math.min(BINS - 1, Math.max(0, Math.floor((values[i]! - range.min) / width)));
        hist[bin]! += 1;
      }
    },
    ranges(): Map<string, TensorRange> {
      const out = new Map<string, TensorRange>();
      for (const [name, range] of bounds) {
        const hist = histograms.get(name);
        const width = (range.max - range.min) / BINS;
        if (!hist || !(width > 0)) {
          out.set(name, range);
          continue;
        }
        const total = hist.reduce((a, b) => a + b, 0);
        const tail = (total * (100 - percentile)) / 100;
        let lo = 0;
        for (let acc = 0; lo < BINS - 1 && acc + hist[lo]! <= tail; lo++) acc += hist[lo]!;
        let hi = BINS - 1;
        for (let acc = 0; hi > 0 && acc + hist[hi]! <= tail; hi--) acc += hist[hi]!;
        out.set(name, { min: range.min + lo * width, max: range.min + (hi + 1) * width });
      }
      return out;
    },
  };
}
