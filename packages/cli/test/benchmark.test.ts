import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { BENCHMARK_RUNNERS, type ModelBenchmarkReport } from '@oxidizedvision/benchmark';
import { cli, FIXTURES, STACK_LINE, writeConfig } from './helpers/cli.js';

/** Few, short windows: these tests check behaviour and shape, not speed, on shared CPUs. */
const FAST = ['--iters', '5', '--warmup', '1', '--max-windows', '2'];

describe('oxidizedvision benchmark', () => {
  let config: string;
  let onnx: string;

  beforeAll(async () => {
    // Height and width are dynamic, so the bare .onnx needs --input-shape while the config does not.
    config = writeConfig(
      `model:\n  path: ${FIXTURES}/tiny_cnn.py\n  class_name: TinyCNN\n  input_shape: [1, 3, 32, 32]\n  checkpoint: ${FIXTURES}/tiny_cnn.pt\n` +
        'export:\n  model_name: tiny\n  register: false\n  dynamic_axes: [batch, height, width]\n',
    );
    const converted = await cli(['convert', config, '-q']);
    expect(converted.code, converted.stderr).toBe(0);
    onnx = join(config, '..', 'out', 'tiny.onnx');
  }, 60_000); // a conversion starts Python and torch: seconds, more on a busy machine

  it('times PyTorch, TorchScript and both ONNX runtimes from a config, as JSON and as an HTML page', async () => {
    const html = join(config, '..', 'report.html');
    const result = await cli([
      'benchmark',
      config,
      ...FAST,
      '--batch-sizes',
      '1,2',
      '--threads',
      '1',
      '--json',
      '--html',
      html,
    ]);
    expect(result.code, result.stderr).toBe(0);
    const report = JSON.parse(result.stdout) as ModelBenchmarkReport;
    const runners = ['pytorch', 'torchscript', 'onnxruntime-node', 'onnxruntime-web'];
    expect(report.results.map((r) => `${r.runner}@${r.batch_size}`)).toEqual(
      runners.flatMap((r) => [`${r}@1`, `${r}@2`]),
    );
    expect(report.failures).toEqual([]);
    for (const r of report.results) {
      expect(Object.keys(r)).toEqual(
        expect.arrayContaining([
          'runner',
          'batch_size',
          'latency_ms',
          'throughput_ips',
          'peak_rss_mb',
          'load_ms',
          'first_inference_ms',
        ]),
      );
      expect(Object.keys(r.latency_ms)).toEqual(
        expect.arrayContaining(['mean', 'p50', 'p90', 'p95', 'p99', 'min', 'max']),
      );
      expect(r.inputs[0]!.shape).toEqual([r.batch_size, 3, 32, 32]);
      expect(r.latency_ms.p50).toBeGreaterThan(0);
      expect(r.throughput_ips).toBeGreaterThan(0);
      expect(r.load_ms).toBeGreaterThan(0);
    }
    const pytorch = report.results.find((r) => r.runner === 'pytorch')!;
    expect([pytorch.device, pytorch.threads]).toEqual(['cpu', 1]); // torch.get_num_threads() after --threads 1
    expect(pytorch.peak_rss_mb).toBeGreaterThan(pytorch.baseline_rss_mb - 1e-9);
    expect(report.machine.torch).toMatch(/^\d+\.\d+/);
    expect(report.machine.onnxruntime.node).toMatch(/^\d+\.\d+/);
    expect(report.skipped.map((s) => s.runner)).not.toContain('pytorch');

    const page = readFileSync(html, 'utf8');
    expect(page).toContain('<svg');
    expect(page).toContain('Throughput vs batch size');
    expect(page).not.toMatch(/(src|href)\s*=\s*["']?\s*(https?:)?\/\//i);
    expect(page).not.toMatch(/<script|<link/i);
  });

  it('prints a table on stdout and progress on stderr for a bare .onnx with --input-shape', async () => {
    const result = await cli([
      'benchmark',
      onnx,
      ...FAST,
      '--runners',
      'onnxruntime-node',
      '--input-shape',
      '1,3,16,16',
    ]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/│ onnxruntime-node │ 1 +│/);
    expect(result.stdout).toMatch(/Images\/s/);
    expect(result.stdout).not.toContain('›');
    expect(result.stderr).toMatch(/› onnxruntime-node batch 1: p50/);
    expect(result.stderr).not.toContain('\r'); // no progress bar when stderr is not a terminal
    const json = await cli([
      'benchmark',
      onnx,
      ...FAST,
      '--runners',
      'onnxruntime-node',
      '--input-shape',
      'input:1,3,16,16',
      '--json',
      '-q',
    ]);
    expect((JSON.parse(json.stdout) as ModelBenchmarkReport).results[0]!.inputs[0]!.shape).toEqual([1, 3, 16, 16]);
    expect(json.stderr).toBe('');
  });

  it('asks for --input-shape when the .onnx has symbolic image sides', async () => {
    const result = await cli(['benchmark', onnx, ...FAST, '--runners', 'onnxruntime-node']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/error: input "input" has symbolic dims \[batch, 3, height, width\]/);
    expect(result.stderr).toMatch(/hint: e\.g\. --input-shape 1,3,224,224/);
    expect(result.stderr).not.toMatch(STACK_LINE);
  });

  it('exits 1 when a runner the user asked for cannot run, and says why', async () => {
    const result = await cli([
      'benchmark',
      config,
      ...FAST,
      '--runners',
      'onnxruntime-node,pytorch',
      '--python',
      '/nonexistent/python3',
      '--json',
    ]);
    expect(result.code).toBe(1);
    const report = JSON.parse(result.stdout) as ModelBenchmarkReport;
    expect(report.ok).toBe(false);
    expect(report.skipped).toEqual([
      {
        runner: 'pytorch',
        reason: expect.stringMatching(/^no Python with PyTorch: .*\/nonexistent\/python3/),
        requested: true,
      },
    ]);
    expect(report.results.map((r) => r.runner)).toEqual(['onnxruntime-node']);
  });

  it.each([
    [['--concurrency', '4'], /--concurrency only apply with --server/],
    [['--server', 'http://127.0.0.1:1'], /--server needs --model/],
    [['--iters', '5', '--duration', '1'], /either iterations or a duration/],
    [['--runners', 'tract2'], /expected a comma-separated list of pytorch, torchscript/],
    [['--batch-sizes', '1,0'], /expected comma-separated positive integers/],
    [['--max-windows', '1'], /at least 2 windows/],
  ])('rejects %j as a usage error', async (flags, message) => {
    const args = flags[0] === '--server' ? ['benchmark', ...flags] : ['benchmark', config, ...flags];
    const result = await cli(args);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(message);
  });

  it('rejects model-benchmark flags with --server, and a missing target', async () => {
    const server = await cli(['benchmark', '--server', 'http://127.0.0.1:1', '--model', 'm', '--iters', '3']);
    expect(server.code).toBe(2);
    expect(server.stderr).toMatch(/--iters only apply to a model benchmark/);
    const none = await cli(['benchmark']);
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/give a config or a \.onnx file/);
  });

  it('offers exactly the runners the benchmark package knows', async () => {
    const help = await cli(['benchmark', '--help']);
    expect(help.stdout.replace(/\s+/g, ' ')).toContain(`comma-separated: ${BENCHMARK_RUNNERS.join(', ')} (default`);
  });
});
