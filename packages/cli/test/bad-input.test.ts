import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli, FIXTURES, STACK_LINE, writeConfig } from './helpers/cli.js';

const TINY = `model:\n  path: ${FIXTURES}/tiny_cnn.py\n  class_name: TinyCNN\n  input_shape: [1, 3, 32, 32]\n`;

/** Every bad input ends with a non-zero exit, one clear message naming the problem, and no stack trace. */
async function expectFailure(args: string[], code: number, message: RegExp, env: NodeJS.ProcessEnv = {}) {
  const result = await cli(args, { env });
  expect(result.code, result.stderr).toBe(code);
  expect(result.stderr).toMatch(message);
  expect(result.stderr).not.toMatch(STACK_LINE);
  return result;
}

describe('bad input gives a short message and a non-zero exit', () => {
  it('a missing config file', async () => {
    await expectFailure(['convert', '/no/such/config.yml'], 1, /error: Config file not found: \/no\/such\/config\.yml/);
  });

  it('an empty config file', async () => {
    await expectFailure(['convert', writeConfig('')], 2, /Config file is empty/);
  });

  it('a YAML syntax error, with its line', async () => {
    await expectFailure(
      ['validate', writeConfig('model:\n  path: [unclosed\n')],
      2,
      /config\.yml:\d+:\d+: YAML syntax error/,
    );
  });

  it('a mistyped key, with a did-you-mean', async () => {
    await expectFailure(
      ['convert', writeConfig(`${TINY}exprt:\n  opset_version: 13\n`)],
      2,
      /config\.yml:5:1: exprt unknown key; did you mean "export"\?/,
    );
  });

  it('a negative dimension', async () => {
    await expectFailure(
      ['convert', writeConfig(TINY.replace('[1, 3, 32, 32]', '[1, -3, 32, 32]'))],
      2,
      /model\.input_shape\[1\] must be an integer ≥ 1 \(got -3\)/,
    );
  });

  it('a missing model file', async () => {
    await expectFailure(
      ['convert', writeConfig(TINY.replace('tiny_cnn.py', 'nope.py'))],
      1,
      /model\.path names a file that does not exist: .*nope\.py/,
    );
  });

  it('a class that is not in the file, with a did-you-mean', async () => {
    await expectFailure(
      ['convert', writeConfig(TINY.replace('class_name: TinyCNN', 'class_name: TinyCnn'))],
      1,
      /class 'TinyCnn' not found in .*tiny_cnn\.py; did you mean 'TinyCNN'\?/,
    );
  });

  it('a model file that fails to import, with the line', async () => {
    const config = writeConfig(TINY.replace('tiny_cnn.py', 'broken_import.py').replace('TinyCNN', 'NeverDefined'));
    await expectFailure(
      ['convert', config],
      1,
      /importing .*broken_import\.py failed at broken_import\.py:\d+ in <module>: ModuleNotFoundError/,
    );
  });

  it('a missing checkpoint', async () => {
    await expectFailure(
      ['convert', writeConfig(`${TINY}  checkpoint: missing.pt\n`)],
      1,
      /model\.checkpoint names a file that does not exist: .*missing\.pt/,
    );
  });

  it('a checkpoint of another model', async () => {
    await expectFailure(
      ['convert', writeConfig(`${TINY}  checkpoint: ${FIXTURES}/wrong_model.pt\n`)],
      1,
      /checkpoint .*wrong_model\.pt does not match TinyCNN: \d+ missing key\(s\): .*unexpected key/,
    );
  });

  it('a file that is not a checkpoint', async () => {
    await expectFailure(
      ['convert', writeConfig(`${TINY}  checkpoint: ${FIXTURES}/not_a_checkpoint.pt\n`)],
      1,
      /not_a_checkpoint\.pt is not a PyTorch checkpoint/,
    );
  });

  it('a constructor that needs init_args', async () => {
    const config = writeConfig(TINY.replace('tiny_cnn.py', 'needs_init_args.py').replace('TinyCNN', 'Configurable'));
    const result = await expectFailure(
      ['convert', config],
      1,
      /constructing Configurable with init_args \{\} failed: .*missing 3 required positional arguments/,
    );
    expect(result.stderr).toMatch(
      /hint: The constructor is Configurable\(width: int, num_classes: int, use_bias: bool\)/,
    );
  });

  it('an input shape the model cannot take', async () => {
    await expectFailure(
      ['convert', writeConfig(TINY.replace('[1, 3, 32, 32]', '[1, 5, 32, 32]'))],
      1,
      /running the model on example input\(s\) of shape \[1, 5, 32, 32\] failed/,
    );
  });

  it('an opset the installed exporter does not support', async () => {
    await expectFailure(['convert', writeConfig(`${TINY}export:\n  opset_version: 21\n`)], 1, /cannot export opset 21/);
  });

  it('an operator ONNX cannot express, naming it and the source line', async () => {
    const config = writeConfig(
      `model:\n  path: ${FIXTURES}/unsupported_op.py\n  class_name: SpectralNet\n  input_shape: [1, 3, 16, 16]\n`,
    );
    await expectFailure(
      ['convert', config],
      1,
      /operator aten::fft_rfft2 is not supported at opset 17 \(used at unsupported_op\.py:11 in forward\)/,
    );
  });

  it('an unknown torchvision architecture', async () => {
    await expectFailure(
      ['convert', writeConfig('model:\n  path: torchvision:resnet19\n  input_shape: [1, 3, 64, 64]\n')],
      1,
      /no architecture 'resnet19'; did you mean .*resnet18/,
    );
  });

  it('no usable Python: a named interpreter that does not exist', async () => {
    const result = await expectFailure(
      ['convert', writeConfig(TINY), '--python', '/no/python3'],
      1,
      /No Python with PyTorch found/,
    );
    expect(result.stderr).toMatch(/\/no\/python3 \(--python\)/);
    expect(result.stderr).toMatch(/apt-get install python3-torch/);
  });

  it('no usable Python: OXV_PYTHON names one without torch', async () => {
    const fake = join(mkdtempSync(join(tmpdir(), 'oxv-py-')), 'python3');
    writeFileSync(fake, '#!/bin/sh\nexec env -i /usr/bin/python3 -S "$@"\n', { mode: 0o755 });
    await expectFailure(
      ['convert', writeConfig(TINY)],
      1,
      /python3 \(OXV_PYTHON\): cannot import torch \(ModuleNotFoundError/,
      { OXV_PYTHON: fake },
    );
  });

  it('validate before convert', async () => {
    await expectFailure(
      ['validate', writeConfig(TINY)],
      1,
      /No model card at .*model\.card\.json[\s\S]*hint: Run "oxidizedvision convert/,
    );
  });

  it('a malformed flag value', async () => {
    await expectFailure(
      ['validate', writeConfig(TINY), '--num-tests', 'many'],
      2,
      /expected a positive integer, got "many"/,
    );
  });

  // One case per parser in src/options.ts: each refuses with "expected <what>, got "<value>"" and exit 2.
  it.each([
    [['serve', '--max-queue-size', '-1'], /--max-queue-size .*expected a non-negative integer, got "-1"/],
    [['serve', '--repository-poll-secs', '0'], /expected a number > 0, got "0"/],
    [['serve', '--max-wait-ms', 'soon'], /expected a number ≥ 0, got "soon"/],
    [['serve', '--worker-nice', '20'], /expected a nice value from 0 to 19, got "20"/],
    [['serve', '--port', '65536'], /expected a port 0-65535, got "65536"/],
    [['serve', '--body-limit', '0'], /expected a size such as 64mb or 1048576, got "0"/],
    [['package', 'm.onnx', '-o', 'out', '--port', '0'], /expected a port 1-65535, got "0"/],
    [['package', 'm.onnx', '-o', 'out', '--target', 'docker,helm'], /expected a comma-separated list of docker/],
    [['benchmark', 'm.onnx', '--runners', 'tract'], /expected a comma-separated list of pytorch, /],
    [['benchmark', 'm.onnx', '--concurrency', '4,x'], /expected comma-separated positive integers, got "4,x"/],
    [['benchmark', 'm.onnx', '--max-windows', '1'], /expected at least 2 windows .*got "1"/],
    [['benchmark', 'm.onnx', '--input-shape', 'x:1,0'], /expected a shape like 1,3,224,224 .*got "x:1,0"/],
    [['run', 'm.onnx', 'a.png', '--std', '0.2,'], /expected comma-separated numbers, got "0.2,"/],
    [['run', 'm.onnx', 'a.png', '--png-compression', '1.5'], /expected a zlib level from 0 to 9, got "1.5"/],
    [['optimize', 'm.onnx', '--min-cosine', '1.5'], /expected a cosine similarity between -1 and 1, got "1.5"/],
    [['optimize', 'm.onnx', '--keep-fp32', 'Resize,9x'], /expected comma-separated op types .*got "Resize,9x"/],
    [['profile', 'm.onnx', '--dim', 'batch'], /expected name=N \(N ≥ 1\), got "batch"/],
  ])('a malformed flag: %j', async (args, message) => {
    const result = await expectFailure(args, 2, message);
    expect(result.stderr.split('\n')[0]).toMatch(
      /^error: option '.+' argument '.*' is invalid\. expected .+, got ".*"$/,
    );
  });

  it('an unknown registry model and a malformed model reference', async () => {
    await expectFailure(['info', 'ghost'], 1, /No model named "ghost" in the registry/);
    await expectFailure(['remove', 'ghost:0'], 2, /ghost:0/);
  });

  it('shows the stack trace only with --verbose', async () => {
    const result = await cli(['--verbose', 'convert', '/no/such/config.yml']);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(STACK_LINE);
  });
});

describe('logging flags', () => {
  it('--json-log writes pino JSON lines on stderr', async () => {
    const result = await cli(['--json-log', 'convert', '/no/such/config.yml']);
    const lines = result.stderr
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { level: number; msg: string });
    expect(lines.some((l) => l.level === 50 && /Config file not found/.test(l.msg))).toBe(true);
  });

  it('--quiet silences progress but not errors; default shows progress on stderr, results on stdout', async () => {
    const config = writeConfig(TINY);
    const home = mkdtempSync(join(tmpdir(), 'oxv-home-'));
    const loud = await cli(['convert', config], { home });
    expect(loud.stderr).toMatch(/› Exporting ONNX/);
    expect(loud.stdout).toMatch(/^Converted model:/);
    const quiet = await cli(['--quiet', 'convert', config], { home });
    expect(quiet.code).toBe(0);
    expect(quiet.stderr).toBe('');
    const verbose = await cli(['--verbose', 'convert', config], { home });
    expect(verbose.stderr).toMatch(/debug: /);
  });
});
