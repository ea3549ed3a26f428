import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  DataType,
  activationParams,
  attrInt,
  calibrationTensors,
  cloneModel,
  convertToFloat16,
  createHistogramCollector,
  createMinMaxCollector,
  decodeModel,
  encodeModel,
  exposeTensors,
  quantizeQdq,
  quantizeWeightsOnly,
  quantizeWeightsPerChannel,
  tensorToFloat32,
  tensorValues,
  type ModelProto,
  type TensorRange,
} from '@oxidizedvision/onnx';
import { OxvError, compareTensors, createTensor, float32ArrayToFloat16Bits } from '@oxidizedvision/runtime';
import { createNodeRunner, createNodeSession } from '@oxidizedvision/runtime/node';
import { fixturePath, runModel, seededInput } from './helpers.js';

const load = (name: string) => decodeModel(readFileSync(fixturePath(name)));
const opTypes = (m: ModelProto) => m.graph!.node.map((n) => n.opType);

/** Min/max of every float activation over a few seeded inputs, as the optimize command calibrates. */
async function calibrate(model: ModelProto, shape: number[], samples = 4): Promise<Map<string, TensorRange>> {
  const names = calibrationTensors(model);
  const runner = await createNodeRunner(encodeModel(exposeTensors(model, names)), {
    graphOptimizationLevel: 'disabled',
  });
  const collector = createMinMaxCollector();
  for (let i = 0; i < samples; i++) {
    const outputs = await runner.run({ [model.graph!.input[0]!.name]: seededInput(shape, 100 + i) });
    for (const [name, t] of Object.entries(outputs))
      if (t.dtype === 'float32') collector.update(name, t.data as Float32Array);
  }
  await runner.dispose();
  return collector.ranges();
}

/** Op types onnxruntime actually runs after its full optimization: what the QDQ graph fused into. */
async function executedOps(model: ModelProto): Promise<string[]> {
  const { mkdtempSync } = await import('node:fs');
  const { join } = await import('node:path');
  const { tmpdir } = await import('node:os');
  const out = join(mkdtempSync(join(tmpdir(), 'oxv-fused-')), 'm.onnx');
  const s = await createNodeSession(encodeModel(model), {
    graphOptimizationLevel: 'all',
    optimizedModelFilePath: out,
  });
  await s.release();
  return opTypes(decodeModel(readFileSync(out)));
}

describe('quantize math', () => {
  it('gives uint8 activation parameters that represent 0 exactly', () => {
    expect(activationParams(0, 2.55).scale).toBeCloseTo(0.01, 15);
    expect(activationParams(0, 2.55).zeroPoint).toBe(0);
    const p = activationParams(-1, 1);
    expect(p.scale).toBeCloseTo(2 / 255, 12);
    expect(p.zeroPoint).toBe(128); // 127.5 rounds half to even
    expect(activationParams(0.5, 2)).toEqual({ scale: 2 / 255, zeroPoint: 0 }); // widened down to 0
  });

  it('quantizes weights symmetrically per output channel into [-127, 127]', () => {
    const w = Float32Array.of(1, -0.5, 0.25, 0, 2, -4, 1, 0); // 2 channels × 4
    const q = quantizeWeightsPerChannel(w, [2, 4], 0);
    expect([...q.scales]).toEqual([1 / 127, 4 / 127].map(Math.fround));
    expect([...q.values]).toEqual([127, -64, 32, 0, 64, -127, 32, 0]);
  });
});

describe('calibration collectors', () => {
  it('keeps the running min and max over samples', () => {
    const c = createMinMaxCollector();
    c.update('t', [1, 2, 3]);
    c.update('t', [-1, 0.5]);
    expect(c.ranges().get('t')).toEqual({ min: -1, max: 3 });
  });

  it('clips outliers at the percentile', () => {
    const values = Float32Array.from({ length: 10000 }, (_, i) => i / 10000);
    values[0] = -50; // one outlier on each side
    values[1] = 100;
    const h = createHistogramCollector(new Map([['t', { min: -50, max: 100 }]]), 99.9);
    h.update('t', values);
    const r = h.ranges().get('t')!;
    expect(r.min).toBeGreaterThan(-0.1);
    expect(r.min).toBeLessThanOrEqual(0);
    expect(r.max).toBeLessThan(1.1);
    expect(r.max).toBeGreaterThanOrEqual(0.99);
  });
});

describe('quantizeQdq', () => {
  it('builds the QDQ graph onnxruntime fuses into QLinearConv, with uint8 activations, int8 per-channel weights and int32 biases', async () => {
    const model = load('tiny_cnn.onnx');
    const ranges = await calibrate(model, [1, 3, 16, 16]);
    const result = quantizeQdq(cloneModel(model), { ranges });
    const q = result.model;
    expect(result.foldedActivations).toEqual(['/Relu', '/Relu_1']);
    expect(opTypes(q)).not.toContain('Relu');
    const init = (name: string) => q.graph!.initializer.find((t) => t.name === name)!;
    const conv1 = q.graph!.node.find((n) => n.name === '/conv1/Conv')!;
    const weightDq = q.graph!.node.find((n) => n.output[0] === conv1.input[1])!;
    expect(init(weightDq.input[0]!).dataType).toBe(DataType.INT8);
    expect(attrInt(weightDq, 'axis', -1)).toBe(0);
    const weightScales = tensorToFloat32(init(weightDq.input[1]!));
    expect(weightScales.length).toBe(8);
    const biasDq = q.graph!.node.find((n) => n.output[0] === conv1.input[2])!;
    expect(init(biasDq.input[0]!).dataType).toBe(DataType.INT32);
    const inputDq = q.graph!.node.find((n) => n.output[0] === conv1.input[0])!;
    expect(init(inputDq.input[2]!).dataType).toBe(DataType.UINT8);
    const inputScale = tensorToFloat32(init(inputDq.input[1]!))[0]!;
    const biasScales = tensorToFloat32(init(biasDq.input[1]!));
    // Exactly the float32 product, as onnxruntime requires to fuse the bias into QLinearConv.
    biasScales.forEach((s, c) => expect(s).toBe(Math.fround(inputScale * weightScales[c]!)));
    // The last Gemm's output is the graph output: it stays float for callers.
    expect(q.graph!.output[0]!.name).toBe('output');

    const executed = await executedOps(q);
    expect(executed.filter((op) => op === 'QLinearConv')).toHaveLength(3);
    expect(executed).toContain('QLinearAdd');

    const x = seededInput([1, 3, 16, 16], 5);
    const [a, b] = [await runModel(encodeModel(model), { input: x }), await runModel(encodeModel(q), { input: x })];
    expect(compareTensors(a.output!, b.output!).cosine_similarity).toBeGreaterThan(0.999);
  });

  it('reports compute nodes that stay float, by name and reason', async () => {
    const model = load('tiny_mlp.onnx');
    const result = quantizeQdq(cloneModel(model), { ranges: await calibrate(model, [2, 4, 16]) });
    expect(result.keptFloat).toContainEqual({
      name: '/proj/Add',
      op_type: 'Add',
      reason: expect.stringMatching(/constant operand/),
    });
    expect(result.quantized.map((n) => n.op_type)).toEqual(expect.arrayContaining(['MatMul', 'Gemm']));
    const x = seededInput([2, 4, 16], 9);
    const [a, b] = [
      await runModel(encodeModel(model), { input: x }),
      await runModel(encodeModel(result.model), { input: x }),
    ];
    expect(compareTensors(a.output!, b.output!).cosine_similarity).toBeGreaterThan(0.995);
  });

  it('refuses opsets below 13 and models with nothing to quantize (ERR_QUANTIZE)', () => {
    const old = load('tiny_cnn.onnx');
    old.opsetImport[0]!.version = 12n;
    expect(() => quantizeQdq(old, { ranges: new Map() })).toThrow(
      expect.objectContaining({ code: 'ERR_QUANTIZE', message: expect.stringMatching(/opset 13/) }),
    );
    const noWeights = load('typed_fields.onnx');
    expect(() => quantizeQdq(noWeights, { ranges: new Map([['x', { min: 0, max: 1 }]]) })).toThrow(OxvError);
  });
});

describe('convertToFloat16', () => {
  it('halves the weights, keeps float32 I/O and Resize (scales stay float32), and stays accurate', async () => {
    const model = load('tiny_unet.onnx');
    const result = convertToFloat16(cloneModel(model));
    const h = result.model;
    expect(result.blocked.map((b) => b.op_type)).toEqual(['Resize', 'Constant']);
    expect(h.graph!.initializer.every((t) => t.dataType === DataType.FLOAT16)).toBe(true);
    expect(h.graph!.input[0]!.type!.value.value).toMatchObject({ elemType: DataType.FLOAT });
    expect(opTypes(h).filter((op) => op === 'Cast')).toHaveLength(result.casts);
    expect(encodeModel(h).byteLength / encodeModel(model).byteLength).toBeLessThan(0.6);
    const x = seededInput([1, 3, 16, 16], 3);
    const [a, b] = [await runModel(encodeModel(model), { input: x }), await runModel(encodeModel(h), { input: x })];
    expect(b.output!.dtype).toBe('float32');
    expect(compareTensors(a.output!, b.output!).cosine_similarity).toBeGreaterThan(0.9999);
  });

  it('types TopK, GatherElements and int64→float Casts of in-graph detection decoding, so onnxruntime loads it', async () => {
    // Before TopK and GatherElements had type rules, the GatherElements stayed float32 for want of a type
    // and its Add met a Cast rewritten to float16: "Type parameter (T) of Optype (Add) bound to different types".
    const model = load('tiny_decoder.onnx');
    const h = convertToFloat16(cloneModel(model)).model;
    const x = seededInput([1, 3, 16, 16], 5);
    const [a, b] = [await runModel(encodeModel(model), { input: x }), await runModel(encodeModel(h), { input: x })];
    for (const name of Object.keys(a)) {
      expect(b[name]!.dtype).toBe('float32');
      expect(compareTensors(a[name]!, b[name]!).max_abs_error).toBeLessThan(0.02);
    }
  });

  it('keeps blocked nodes (by name) and their weights in float32, and can retype I/O to float16', async () => {
    const result = convertToFloat16(load('tiny_cnn.onnx'), { blockNodes: ['/conv2/Conv'], keepIoTypes: false });
    const h = result.model;
    const weight = h.graph!.initializer.find(
      (t) => t.name === h.graph!.node.find((n) => n.name === '/conv2/Conv')!.input[1],
    )!;
    expect(weight.dataType).toBe(DataType.FLOAT);
    expect(h.graph!.input[0]!.type!.value.value).toMatchObject({ elemType: DataType.FLOAT16 });
    const x = seededInput([1, 3, 16, 16], 3);
    const half = createTensor('float16', [1, 3, 16, 16], float32ArrayToFloat16Bits(x.data as Float32Array));
    const out = await runModel(encodeModel(h), { input: half });
    expect(out.output!.dtype).toBe('float16');
  });
});

describe('quantizeWeightsOnly', () => {
  it('stores MatMul/Gemm weights as int8 with a per-channel DequantizeLinear', async () => {
    const model = load('tiny_mlp.onnx');
    const result = quantizeWeightsOnly(cloneModel(model));
    expect(result.quantized.map((q) => q.op_type)).toEqual(['MatMul', 'Gemm']);
    const int8 = result.model.graph!.initializer.filter((t) => t.dataType === DataType.INT8 && t.dims.length === 2);
    expect(int8).toHaveLength(2);
    expect(tensorValues(int8[0]!)).toBeInstanceOf(Int8Array);
    const x = seededInput([2, 4, 16], 1);
    const [a, b] = [
      await runModel(encodeModel(model), { input: x }),
      await runModel(encodeModel(result.model), { input: x }),
    ];
    expect(compareTensors(a.output!, b.output!).cosine_similarity).toBeGreaterThan(0.9999);
  });
});
