import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { analyzeModel, decodeModel } from '@oxidizedvision/onnx';
import { fixturePath } from './helpers.js';

const load = (name: string) => decodeModel(readFileSync(fixturePath(name)));

describe('analyzeModel', () => {
  it('counts the MACs of a tiny CNN exactly as by hand', () => {
    const analysis = analyzeModel(load('tiny_cnn.onnx'));
    const macs = Object.fromEntries(analysis.layers.map((l) => [l.name, l.macs]));
    // conv1: 8×16×16 outputs × (3 in × 3×3) = 55,296; conv2: 8×8×8 × (8 × 3×3) = 36,864; conv3 (1×1):
    // 4×8×8 × 8 = 2,048; head Gemm: 5 × 4 = 20; MaxPool 2×2: 8×8×8 × 4 = 2,048; global pool: 4×8×8 = 256;
    // Relu/Add: one per element (2,048 + 512 + 512).
    expect(macs).toEqual({
      '/conv1/Conv': 55296,
      '/Relu': 2048,
      '/pool/MaxPool': 2048,
      '/conv2/Conv': 36864,
      '/Add': 512,
      '/Relu_1': 512,
      '/conv3/Conv': 2048,
      '/GlobalAveragePool': 256,
      '/Flatten': 0,
      '/head/Gemm': 20,
    });
    expect(analysis.macs).toBe(99604);
    // conv1 8×3×3×3 + 8 (BN folded into its bias), conv2 8×8×3×3 (no bias), conv3 4×8 + 4, head 5×4 + 5.
    expect(analysis.parameters).toEqual({ total: 861, by_dtype: { float32: 861 } });
    expect(analysis.weight_bytes.total).toBe(861 * 4);
  });

  it('reports header fields and symbolic input dims', () => {
    const analysis = analyzeModel(load('tiny_cnn.onnx'));
    expect(analysis).toMatchObject({ ir_version: 7, opset: 13, producer: { name: 'pytorch' } });
    expect(analysis.inputs).toEqual([{ name: 'input', dtype: 'float32', shape: ['batch', 3, 16, 16] }]);
    expect(analysis.outputs).toEqual([{ name: 'output', dtype: 'float32', shape: ['batch', 5] }]);
    expect(analysis.dims).toEqual({ batch: 1 });
  });

  it('scales MACs with the batch given for a symbolic dim', () => {
    const one = analyzeModel(load('tiny_cnn.onnx'));
    const four = analyzeModel(load('tiny_cnn.onnx'), { dims: { batch: 4 } });
    expect(four.macs).toBe(4 * one.macs);
    expect(four.layers[0]!.output_shape).toEqual([4, 8, 16, 16]);
  });

  it('infers Resize (scales from a Constant), ConvTranspose and Concat shapes of a UNet', () => {
    const layers = analyzeModel(load('tiny_unet.onnx')).layers;
    const shape = (name: string) => layers.find((l) => l.name === name)!.output_shape;
    expect(shape('/up/Resize')).toEqual([1, 16, 16, 16]);
    expect(shape('/tconv/ConvTranspose')).toEqual([1, 8, 16, 16]);
    expect(shape('/Concat')).toEqual([1, 32, 16, 16]);
    // ConvTranspose: 16×8×8 inputs × 8 outputs per group × 2×2 kernel.
    expect(layers.find((l) => l.name === '/tconv/ConvTranspose')!.macs).toBe(32768);
  });

  it('counts batched MatMul and Gemm as M×N×K', () => {
    const layers = analyzeModel(load('tiny_mlp.onnx')).layers;
    expect(layers.find((l) => l.op_type === 'MatMul')).toMatchObject({
      output_shape: [2, 4, 32],
      macs: 2 * 4 * 32 * 16,
    });
    expect(layers.find((l) => l.op_type === 'Gemm')).toMatchObject({ output_shape: [2, 10], macs: 2 * 10 * 128 });
  });

  it('matches the published 1.8 GMACs of torchvision resnet18 at 224×224', () => {
    const analysis = analyzeModel(load('resnet18_skeleton.onnx'));
    expect(analysis.unknown_macs_layers).toBe(0);
    // fvcore/ptflops: 1.814 G for the convolutions and the fc layer; we add pooling, Add and ReLU.
    const convAndFc = analysis.by_op_type
      .filter((o) => o.op_type === 'Conv' || o.op_type === 'Gemm')
      .reduce((sum, o) => sum + o.macs, 0);
    expect(convAndFc).toBe(1_814_073_344);
    expect(analysis.macs / 1e9).toBeCloseTo(1.82, 2);
    // torchvision's 11,689,512 counts BatchNorm's weight and bias; the export folds BN into the convs.
    expect(Math.abs(analysis.parameters.total - 11_689_512) / 11_689_512).toBeLessThan(0.001);
  });

  it('infers every layer shape of mobilenet_v3_small (HardSigmoid, squeeze-excitation Mul)', () => {
    const analysis = analyzeModel(load('mobilenet_v3_small_skeleton.onnx'));
    expect(analysis.unknown_macs_layers).toBe(0);
    expect(analysis.layers.every((l) => l.output_shape?.every((d) => typeof d === 'number'))).toBe(true);
    // torchvision lists 0.06 GFLOPS (multiply-adds) for it.
    expect(analysis.macs / 1e9).toBeCloseTo(0.06, 2);
  });
});
