import { mkdtempSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '@oxidizedvision/tools';
import { OxvError } from '@oxidizedvision/runtime';

/** A temp folder with a model.py and a checkpoint beside the config, so only the YAML varies. */
function project(yaml: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'oxv-config-'));
  writeFileSync(join(dir, 'model.py'), 'import torch\nclass Net(torch.nn.Module):\n    pass\n');
  writeFileSync(join(dir, 'ckpt.pt'), 'x');
  writeFileSync(join(dir, 'config.yml'), yaml);
  return join(dir, 'config.yml');
}

const VALID = `model:
  path: model.py
  class_name: Net
  input_shape: [1, 3, 32, 32]
`;

function failure(yaml: string): OxvError {
  try {
    loadConfig(project(yaml));
  } catch (err) {
    expect(err).toBeInstanceOf(OxvError);
    return err as OxvError;
  }
  throw new Error('expected loadConfig to fail');
}

describe('loadConfig', () => {
  it('fills in defaults and resolves paths against the config folder', () => {
    const file = project(VALID);
    const config = loadConfig(file);
    expect(config.model.path).toBe(join(file, '..', 'model.py'));
    expect(config.model.inputs).toEqual([{ name: 'input', shape: [1, 3, 32, 32], dtype: 'float32' }]);
    expect(config.export).toMatchObject({
      opset_version: 17,
      model_name: 'model',
      dynamic_axes: ['batch'],
      torchscript: true,
    });
    expect(config.export.output_dir).toBe(join(file, '..', 'out'));
    expect(config.validation).toMatchObject({ num_tests: 3, tolerance_mae: 1e-4, tolerance_cos_sim: 0.9999, seed: 0 });
    expect(config.runners).toEqual(['pytorch', 'torchscript', 'onnxruntime-node', 'onnxruntime-web']);
    expect(config.preprocess.size).toEqual([32, 32]);
    expect(Object.isFrozen(config.model.inputs[0])).toBe(true);
  });

  it('reads randomize_weights and allow_degenerate, and refuses redrawing over a checkpoint', () => {
    const config = loadConfig(project(`${VALID}validation:\n  allow_degenerate: true\n`));
    expect(config.model.randomize_weights).toBe(false);
    expect(config.validation.allow_degenerate).toBe(true);
    const redrawn = VALID.replace('  input_shape', '  randomize_weights: true\n  input_shape');
    expect(loadConfig(project(redrawn)).model.randomize_weights).toBe(true);
    const err = failure(redrawn.replace('  input_shape', '  checkpoint: ckpt.pt\n  input_shape'));
    expect(err.message).toMatch(/model\.randomize_weights.*cannot be combined with model\.checkpoint/s);
  });

  it('accepts a torchvision family prefix: torchvision:quantization.resnet18', () => {
    const yaml = 'model:\n  path: torchvision:quantization.resnet18\n  input_shape: [1, 3, 64, 64]\n';
    expect(loadConfig(project(yaml)).model.arch).toBe('quantization.resnet18');
    expect(failure(yaml.replace('quantization.resnet18', 'Quantization.resnet18')).message).toMatch(
      /must name a torchvision architecture/,
    );
  });

  it('reads exponent floats without a dot as numbers (the original read 1e-4 as a string)', () => {
    const config = loadConfig(project(`${VALID}validation:\n  tolerance_mae: 1e-4\n  num_tests: 5\n`));
    expect(config.validation.tolerance_mae).toBe(1e-4);
    expect(config.validation.num_tests).toBe(5);
  });

  it('maps the original runner names onto the runtimes that replace them', () => {
    const config = loadConfig(project(`${VALID}runners:\n  - name: tract\n  - tch\n`));
    expect(config.runners).toEqual(['onnxruntime-node', 'torchscript']);
  });

  it('accepts torchvision architectures without a class name, and several named inputs', () => {
    const config = loadConfig(
      project(
        `model:\n  path: torchvision:resnet18\n  inputs:\n    - {name: image, shape: [1, 3, 8, 8]}\n    - {name: ids, shape: [1, 4], dtype: int64}\n`,
      ),
    );
    expect(config.model.kind).toBe('torchvision');
    expect(config.model.arch).toBe('resnet18');
    expect(config.model.inputs.map((i) => i.dtype)).toEqual(['float32', 'int64']);
  });

  it('rejects a missing file', () => {
    expect(() => loadConfig('/nonexistent/config.yml')).toThrowError(
      /Config file not found: \/nonexistent\/config.yml/,
    );
  });

  it('rejects an empty file', () => {
    const err = failure('   \n');
    expect(err.code).toBe('ERR_CONFIG_PARSE');
    expect(err.message).toMatch(/is empty/);
  });

  it('reports YAML syntax errors with the line', () => {
    const err = failure('model:\n  path: model.py\n  input_shape: [1, 3\n');
    expect(err.code).toBe('ERR_CONFIG_PARSE');
    expect(err.message).toMatch(/config\.yml:\d+:\d+: YAML syntax error/);
  });

  it('rejects a document that is not a mapping', () => {
    expect(failure('- a\n- b\n').message).toMatch(/top level must be a mapping.*got a list/);
  });

  it('names a missing required field', () => {
    const err = failure('model:\n  class_name: Net\n  input_shape: [1, 3]\n');
    expect(err.code).toBe('ERR_CONFIG_INVALID');
    expect(err.message).toMatch(/config\.yml:2:3: model\.path is required/);
  });

  it('rejects an unknown section with a did-you-mean and its line', () => {
    const err = failure(`${VALID}valdation:\n  num_tests: 2\n`);
    expect(err.message).toMatch(/config\.yml:5:1: valdation unknown key; did you mean "validation"\?/);
    expect(err.message).toMatch(/allowed keys: python, task, labels, model, export/);
  });

  it('rejects an unknown nested key with a did-you-mean', () => {
    const err = failure('model:\n  path: model.py\n  class_name: Net\n  input_shap: [1, 3]\n');
    expect(err.message).toMatch(/config\.yml:4:3: model\.input_shap unknown key; did you mean "input_shape"\?/);
  });

  it('rejects a mistyped value, naming expected and got', () => {
    const err = failure('model:\n  path: model.py\n  class_name: Net\n  input_shape: "1,3,32,32"\n');
    expect(err.message).toMatch(
      /config\.yml:4:16: model\.input_shape must be a list of 2 to 8 items \(got the string "1,3,32,32"\)/,
    );
  });

  it('rejects negative and zero dimensions, naming the index', () => {
    const err = failure('model:\n  path: model.py\n  class_name: Net\n  input_shape: [1, -3, 0, 32]\n');
    expect(err.message).toMatch(/model\.input_shape\[1\] must be an integer ≥ 1 \(got -3\)/);
    expect(err.message).toMatch(/model\.input_shape\[2\] must be an integer ≥ 1 \(got 0\)/);
  });

  it('rejects a shape of the wrong rank', () => {
    expect(failure('model:\n  path: model.py\n  class_name: Net\n  input_shape: [3]\n').message).toMatch(
      /model\.input_shape must be a list of 2 to 8 items \(got a list \[3\]\)/,
    );
  });

  it('lists the allowed values of an enum', () => {
    const err = failure(`${VALID}export:\n  dynamic_axes: [batch, depth]\n`);
    expect(err.message).toMatch(
      /export\.dynamic_axes\[1\] must be one of "batch", "height", "width" \(got the string "depth"\)/,
    );
  });

  it('rejects an unknown runner with a suggestion', () => {
    const err = failure(`${VALID}runners: [onnxruntime-nod]\n`);
    expect(err.message).toMatch(
      /runners\[0\] names an unknown runner "onnxruntime-nod"; did you mean "onnxruntime-node"\?/,
    );
  });

  it('rejects an out-of-range opset', () => {
    expect(failure(`${VALID}export:\n  opset_version: 30\n`).message).toMatch(
      /export\.opset_version must be an integer from 7 to 21 \(got 30\)/,
    );
  });

  it('needs class_name for a Python file', () => {
    expect(failure('model:\n  path: model.py\n  input_shape: [1, 3]\n').message).toMatch(
      /model\.class_name is required when model\.path is a Python file/,
    );
  });

  it('needs an input shape', () => {
    expect(failure('model:\n  path: model.py\n  class_name: Net\n').message).toMatch(/model needs input_shape/);
  });

  it('rejects input_shape together with inputs', () => {
    const err = failure(`${VALID}  inputs: [{name: a, shape: [1, 2]}]\n`);
    expect(err.message).toMatch(/model\.inputs cannot be combined with model\.input_shape/);
  });

  it('rejects dynamic height/width for inputs that are not 4-D', () => {
    const err = failure(
      'model:\n  path: model.py\n  class_name: Net\n  input_shape: [1, 16]\nexport:\n  dynamic_axes: [batch, height]\n',
    );
    expect(err.message).toMatch(/export\.dynamic_axes height\/width can only be dynamic when every input is 4-D/);
  });

  it('names missing model and checkpoint files with their lines', () => {
    const err = failure(
      'model:\n  path: missing.py\n  class_name: Net\n  input_shape: [1, 3]\n  checkpoint: nope.pt\n',
    );
    expect(err.code).toBe('ERR_FILE_NOT_FOUND');
    expect(err.message).toMatch(/config\.yml:2:9: model\.path names a file that does not exist: .*missing\.py/);
    expect(err.message).toMatch(/config\.yml:5:15: model\.checkpoint names a file that does not exist: .*nope\.pt/);
  });

  it('rejects a model path that is neither Python, TorchScript nor torchvision', () => {
    const file = project('model:\n  path: weights.onnx\n  input_shape: [1, 3]\n');
    mkdirSync(join(file, '..', 'weights.onnx'), { recursive: true });
    expect(() => loadConfig(file)).toThrowError(/model\.path must be a \.py file, a TorchScript file/);
  });

  it('reports several problems at once', () => {
    const err = failure(
      'model:\n  path: model.py\n  class_name: Net\n  input_shape: [1, 3]\nexport:\n  opset_version: 3\n  model_nam: x\n',
    );
    expect(err.message).toMatch(/Invalid config \(2 problems\)/);
  });
});
