import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildServer, createModelManager, DEFAULT_BATCHING, type ModelManager } from '@oxidizedvision/server';
import type { ServerBenchmarkReport } from '@oxidizedvision/benchmark';
import { cli } from './helpers/cli.js';

// Two inputs (FP32 and INT64) sharing a dynamic batch dim: the load generator must fill both, in JSON and binary.
const TWO_IO = fileURLToPath(new URL('../../runtime/test/fixtures/two_io.onnx', import.meta.url));

describe('oxidizedvision benchmark --server against our server', () => {
  let app: ReturnType<typeof buildServer>;
  let manager: ModelManager;
  let url: string;

  beforeAll(async () => {
    manager = createModelManager({
      models: [
        {
          name: 'two_io',
          source: { kind: 'file', path: TWO_IO },
          batching: { ...DEFAULT_BATCHING },
          instances: { count: 1, threads: 1 },
        },
      ],
    });
    await manager.start();
    app = buildServer({ manager, processMetrics: false, log: { level: 'warn' } });
    url = await app.listen({ host: '127.0.0.1', port: 0 });
  });

  afterAll(async () => {
    await app?.close();
    await manager?.close();
  });

  it.each([
    ['JSON', []],
    ['binary', ['--binary']],
  ])('sweeps concurrency with %s payloads and no errors', async (_label, extra) => {
    const html = join(mkdtempSync(join(tmpdir(), 'oxv-load-')), 'load.html');
    const args = ['benchmark', '--server', url, '--model', 'two_io', '--concurrency', '1,4', '--batch-sizes', '2'];
    const result = await cli([...args, '--duration', '0.3', '--warmup', '1', '--json', '--html', html, ...extra]);
    expect(result.code, result.stderr).toBe(0);
    const report = JSON.parse(result.stdout) as ServerBenchmarkReport;
    expect(report.protocol).toBe(extra.length ? 'binary' : 'json');
    expect(report.inputs).toEqual([
      { name: 'x', datatype: 'FP32', shape: [2, 3, 4, 4] },
      { name: 'n', datatype: 'INT64', shape: [2, 2] },
    ]);
    expect(report.results.map((r) => [r.batch_size, r.concurrency])).toEqual([
      [2, 1],
      [2, 4],
    ]);
    for (const r of report.results) {
      expect(r.errors, r.error_samples.join('\n')).toBe(0);
      expect(r.requests).toBeGreaterThan(0);
      expect(r.throughput_ips).toBeCloseTo(2 * r.throughput_rps, 6);
      expect(r.latency_ms!.p50).toBeGreaterThan(0);
    }
    const page = readFileSync(html, 'utf8');
    expect(page).toContain('Throughput vs concurrency');
    expect(page).not.toMatch(/(src|href)\s*=\s*["']?\s*(https?:)?\/\//i);
  });

  it('prints a table per level, and exits 1 for a model the server does not have', async () => {
    const table = await cli([
      'benchmark',
      '--server',
      url,
      '--model',
      'two_io',
      '--concurrency',
      '2',
      '--duration',
      '0.2',
    ]);
    expect(table.code, table.stderr).toBe(0);
    expect(table.stdout).toMatch(/│ Batch │ Clients │ Requests │ Errors │ Infer\/s │ Images\/s │/);
    expect(table.stdout).toMatch(/│ 1 +│ 2 +│ \d+ +│ 0 +│/);
    const missing = await cli(['benchmark', '--server', url, '--model', 'nope', '--duration', '0.2']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/error: the server has no model "nope"/);
  });
});
