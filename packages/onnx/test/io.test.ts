import { copyFileSync, existsSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  DataType,
  decodeModel,
  defaultOpset,
  encodeModel,
  isExternal,
  tensorToFloat32,
  tensorToNumbers,
  tensorValues,
} from '@oxidizedvision/onnx';
import { readModel, writeModel } from '@oxidizedvision/onnx/node';
import { compareTensors } from '@oxidizedvision/runtime';
import { expectOxvError, fixturePath, runModel, seededInput } from './helpers.js';

const tmp = () => mkdtempSync(join(tmpdir(), 'oxv-onnx-'));

describe('decodeModel / encodeModel', () => {
  it('reads the header fields torch writes', () => {
    const model = decodeModel(readFileSync(fixturePath('tiny_cnn.onnx')));
    expect(model.irVersion).toBe(7n);
    expect(model.producerName).toBe('pytorch');
    expect(defaultOpset(model)).toBe(13);
    expect(model.graph!.node.map((n) => n.opType)).toContain('Conv');
  });

  it('writes back bytes that decode to the same model and run bit-identically in onnxruntime', async () => {
    const original = readFileSync(fixturePath('tiny_cnn.onnx'));
    const written = encodeModel(decodeModel(original));
    expect(encodeModel(decodeModel(written))).toEqual(written);
    const feeds = { input: seededInput([2, 3, 16, 16]) };
    const [a, b] = [await runModel(new Uint8Array(original), feeds), await runModel(written, feeds)];
    expect(compareTensors(a.output!, b.output!).max_abs_error).toBe(0);
  });

  it('keeps fields from a newer ONNX than its schema (unknown fields survive a round trip)', () => {
    const model = decodeModel(readFileSync(fixturePath('tiny_cnn.onnx')));
    // Field 99 of ModelProto does not exist: appended as a varint (tag 99<<3|0 = 792 = 0x98 0x06), value 5.
    const withUnknown = new Uint8Array([...encodeModel(model), 0x98, 0x06, 0x05]);
    const again = encodeModel(decodeModel(withUnknown));
    expect(again.byteLength).toBe(withUnknown.byteLength);
    expect([...again.slice(-3)]).toEqual([0x98, 0x06, 0x05]);
  });

  it('rejects a truncated file and a text file with ERR_ONNX_INVALID', async () => {
    await expectOxvError(readModel(fixturePath('truncated.onnx')), 'ERR_ONNX_INVALID');
    await expectOxvError(readModel(fixturePath('not_onnx.onnx')), 'ERR_ONNX_INVALID');
    expect(() => decodeModel(new Uint8Array(0))).toThrow(/no graph/);
  });

  it('reports a missing model file as ERR_FILE_NOT_FOUND', async () => {
    await expectOxvError(readModel(join(tmp(), 'nope.onnx')), 'ERR_FILE_NOT_FOUND');
  });
});

describe('initializer values', () => {
  const model = decodeModel(readFileSync(fixturePath('typed_fields.onnx')));
  const init = (name: string) => model.graph!.initializer.find((t) => t.name === name)!;

  it('decodes float_data, int64_data and double_data', () => {
    expect(init('w').rawData.byteLength).toBe(0);
    expect([...tensorValues(init('w'))]).toEqual([0.5, -1, 2, 3.5, 0, -0.25]);
    expect(tensorToNumbers(init('shape'))).toEqual([3, 2]);
    expect([...tensorValues(init('d'))]).toEqual([0.125]);
  });

  it('decodes float16 stored as bit patterns in int32_data', () => {
    const h = init('h');
    expect(h.dataType).toBe(DataType.FLOAT16);
    expect([...tensorToFloat32(h)]).toEqual([1.5, -2, 0.099975586, 65504, -0.5, 3].map(Math.fround));
  });

  it('decodes raw_data whatever its alignment, also from a Node Buffer (whose slice() does not copy)', () => {
    const cnn = decodeModel(readFileSync(fixturePath('tiny_cnn.onnx')));
    for (const t of cnn.graph!.initializer) {
      const values = tensorValues(t) as Float32Array;
      const view = new DataView(t.rawData.buffer, t.rawData.byteOffset, t.rawData.byteLength);
      const expected = Array.from({ length: values.length }, (_, i) => view.getFloat32(4 * i, true));
      expect([...values]).toEqual(expected);
    }
  });
});

describe('readModel / writeModel (Node)', () => {
  it('loads external data so the model runs from memory like the inline original', async () => {
    const { model, externalFiles, externalBytes } = await readModel(fixturePath('tiny_cnn_external.onnx'));
    expect(externalFiles).toEqual(['tiny_cnn_external.onnx.data']);
    expect(externalBytes).toBeGreaterThan(3000);
    expect(model.graph!.initializer.some(isExternal)).toBe(false);
    const feeds = { input: seededInput([1, 3, 16, 16]) };
    const inline = await runModel(fixturePath('tiny_cnn.onnx'), feeds);
    const loaded = await runModel(encodeModel(model), feeds);
    expect(compareTensors(inline.output!, loaded.output!).max_abs_error).toBe(0);
  });

  it('writes external data that onnxruntime reads back, leaving the in-memory model inline', async () => {
    const { model } = await readModel(fixturePath('tiny_cnn.onnx'));
    const dir = tmp();
    const out = join(dir, 'model.onnx');
    const result = await writeModel(out, model, { externalData: { location: 'model.onnx.data', threshold: 64 } });
    expect(result.externalBytes).toBeGreaterThan(3000);
    expect(model.graph!.initializer.some(isExternal)).toBe(false);
    expect(readdirSync(dir).sort()).toEqual(['model.onnx', 'model.onnx.data']);
    const feeds = { input: seededInput([1, 3, 16, 16]) };
    const a = await runModel(fixturePath('tiny_cnn.onnx'), feeds);
    const b = await runModel(out, feeds);
    expect(compareTensors(a.output!, b.output!).max_abs_error).toBe(0);
  });

  it('rejects a model whose external data file is missing or too short', async () => {
    const dir = tmp();
    copyFileSync(fixturePath('tiny_cnn_external.onnx'), join(dir, 'm.onnx'));
    await expectOxvError(readModel(join(dir, 'm.onnx')), 'ERR_ONNX_INVALID');
    writeFileSync(join(dir, 'tiny_cnn_external.onnx.data'), new Uint8Array(100));
    const error = await expectOxvError(readModel(join(dir, 'm.onnx')), 'ERR_ONNX_INVALID');
    expect(error.message).toMatch(/too short/);
  });

  it('refuses external locations that escape the model folder', async () => {
    const { model } = await readModel(fixturePath('tiny_cnn.onnx'));
    const dir = tmp();
    await writeModel(join(dir, 'm.onnx'), model, { externalData: { location: 'm.data' } });
    const bytes = readFileSync(join(dir, 'm.onnx'));
    const evil = Buffer.from(bytes.toString('latin1').replaceAll('m.data', '../x/y'), 'latin1');
    writeFileSync(join(dir, 'evil.onnx'), evil);
    const error = await expectOxvError(readModel(join(dir, 'evil.onnx')), 'ERR_ONNX_INVALID');
    expect(error.message).toMatch(/inside the model's folder/);
  });

  it('fails with ERR_OUTPUT_WRITE and leaves no file behind when the folder does not exist', async () => {
    const { model } = await readModel(fixturePath('tiny_cnn.onnx'));
    const dir = tmp();
    await expectOxvError(writeModel(join(dir, 'missing', 'm.onnx'), model), 'ERR_OUTPUT_WRITE');
    expect(existsSync(join(dir, 'missing'))).toBe(false);
    expect(readdirSync(dir)).toEqual([]);
  });
});
