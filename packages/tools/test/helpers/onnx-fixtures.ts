import { copyFileSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ModelCard } from '@oxidizedvision/runtime';

/** The tiny models built by packages/onnx/test/fixtures/make_fixtures.py. */
export function onnxFixture(name: string): string {
  return fileURLToPath(new URL(`../../../onnx/test/fixtures/${name}`, import.meta.url));
}

/**
 * A fresh folder holding `<stem>.onnx` copied from a fixture and, when `card` is given, a `<stem>.card.json`
 * beside it, as convert lays them out. Returns the .onnx path.
 */
export function modelFolder(fixture: string, card?: Partial<ModelCard>, stem = 'model'): string {
  const dir = mkdtempSync(join(tmpdir(), 'oxv-model-'));
  const onnx = join(dir, `${stem}.onnx`);
  copyFileSync(onnxFixture(fixture), onnx);
  if (card) writeFileSync(join(dir, `${stem}.card.json`), JSON.stringify(minimalCard(stem, card)));
  return onnx;
}

export function minimalCard(name: string, overrides: Partial<ModelCard>): ModelCard {
  return {
    card_version: 1,
    name,
    created_at: '2026-01-01T00:00:00.000Z',
    task: 'classification',
    labels: null,
    inputs: [{ name: 'input', dtype: 'float32', shape: ['batch', 3, 16, 16] }],
    outputs: [{ name: 'output', dtype: 'float32', shape: ['batch', 5] }],
    example_inputs: [{ name: 'input', shape: [2, 3, 16, 16], dtype: 'float32' }],
    preprocess: {
      size: [16, 16],
      resize: 'stretch',
      scale: 1 / 255,
      mean: [0.5, 0.5, 0.5],
      std: [0.25, 0.25, 0.25],
      layout: 'NCHW',
      channel_order: 'RGB',
    },
    onnx: {
      file: `${name}.onnx`,
      sha256: '0'.repeat(64),
      bytes: 0,
      opset: 13,
      exporter: 'torchscript',
      external_data: [],
      dynamic_axes: ['batch'],
    },
    torchscript: null,
    weights: null,
    source: {
      kind: 'python',
      path: '/x/model.py',
      class_name: 'TinyCnn',
      arch: null,
      init_args: {},
      checkpoint: null,
      checkpoint_sha256: null,
      config: '/x/config.yml',
    },
    pytorch: { torch_version: '1.13.0', parameters: { total: 877, trainable: 877, buffers: 17 } },
    python: { executable: '/usr/bin/python3', version: '3.11' },
    converter: { name: 'oxidizedvision', version: '0.1.0' },
    ...overrides,
  };
}
