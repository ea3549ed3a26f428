import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { checkProviderLibraries } from '@oxidizedvision/runtime/node';
import {
  benchmarkModel,
  renderBenchmarkHtml,
  type BenchmarkProgressEvent,
  type ModelBenchmarkReport,
} from '@oxidizedvision/benchmark';

const TWO_IO = fileURLToPath(new URL('../../runtime/test/fixtures/two_io.onnx', import.meta.url));

describe('benchmarkModel on a bare .onnx', () => {
  let report: ModelBenchmarkReport;
  const events: BenchmarkProgressEvent[] = [];

  beforeAll(async () => {
    report = await benchmarkModel(TWO_IO, {
      runners: ['onnxruntime-node', 'onnxruntime-web'],
      batchSizes: [3, 1],
      iters: 5,
      warmup: 1,
      maxWindows: 3,
      threads: 1,
      onProgress: (e) => events.push(e),
    });
  });

  it('measures each runner at each batch size, smallest batch first', () => {
    expect(report.kind).toBe('model');
    expect(report.ok).toBe(true);
    expect(report.failures).toEqual([]);
    expect(report.results.map((r) => [r.runner, r.batch_size])).toEqual([
      ['onnxruntime-node', 1],
      ['onnxruntime-node', 3],
      ['onnxruntime-web', 1],
      ['onnxruntime-web', 3],
    ]);
    // two_io.onnx shares a symbolic batch dim between its two inputs; both follow the batch size.
    expect(report.results[1]!.inputs).toEqual([
      { name: 'x', dtype: 'float32', shape: [3, 3, 4, 4] },
      { name: 'n', dtype: 'int64', shape: [3, 2] },
    ]);
  });

  it('reports the documented fields with consistent values', () => {
    for (const r of report.results) {
      const l = r.latency_ms;
      expect(Object.keys(l).sort()).toEqual(['max', 'mean', 'min', 'p50', 'p90', 'p95', 'p99', 'stddev']);
      expect(l.min).toBeGreaterThan(0);
      expect(l.min).toBeLessThanOrEqual(l.p50);
      expect(l.p50).toBeLessThanOrEqual(l.p90);
      expect(l.p90).toBeLessThanOrEqual(l.p95);
      expect(l.p95).toBeLessThanOrEqual(l.p99);
      expect(l.p99).toBeLessThanOrEqual(l.max);
      expect(r.windows.length).toBeGreaterThanOrEqual(2);
      expect(r.windows.length).toBeLessThanOrEqual(3);
      expect(r.iterations).toBe(r.stable ? 10 : 5 * r.windows.length);
      // images/s = batch × inferences / wall time of the reported windows
      const reported = r.stable ? r.windows.slice(-2) : r.windows;
      const wall = reported.reduce((s, w) => s + w.wall_ms, 0);
      expect(r.throughput_ips).toBeCloseTo((r.batch_size * r.iterations) / (wall / 1000), 6);
      expect(r.peak_rss_mb).toBeGreaterThanOrEqual(r.baseline_rss_mb);
      expect(r.baseline_rss_mb).toBeGreaterThan(10);
      expect(r.load_ms).toBeGreaterThan(0);
      expect(r.first_inference_ms).toBeGreaterThan(0);
      expect(r.histogram.counts.reduce((a, b) => a + b, 0) + r.histogram.above).toBe(r.iterations);
    }
    const node = report.results.find((r) => r.runner === 'onnxruntime-node')!;
    expect([node.device, node.threads]).toEqual(['cpu', 1]);
    const web = report.results.find((r) => r.runner === 'onnxruntime-web')!;
    expect([web.device, web.threads]).toEqual(['wasm', 1]);
  });

  it('runs each runner in its own process, so memory is per runner', () => {
    const baselines = new Set(report.results.map((r) => `${r.runner}:${r.baseline_rss_mb}`));
    expect(baselines.size).toBe(2); // one baseline per runner process, shared by its batch sizes
  });

  it('describes the machine', () => {
    const m = report.machine;
    expect(m.cores).toBeGreaterThan(0);
    expect(m.cpu_model).not.toBe('');
    expect(m.node).toBe(process.version);
    expect(m.onnxruntime.node).toMatch(/^\d+\.\d+\.\d+/);
    expect(m.onnxruntime.web).toMatch(/^\d+\.\d+\.\d+/);
    expect(m.torch).toBeNull(); // no PyTorch runner was asked for, so no Python was probed
    expect(m.load_average).toHaveLength(3);
  });

  it('emits a progress event per window and per finished batch size', () => {
    const windows = events.filter((e) => e.stage === 'window');
    expect(windows.length).toBe(report.results.reduce((n, r) => n + r.windows.length, 0));
    expect(windows[0]).toMatchObject({
      runner: 'onnxruntime-node',
      batch_size: 1,
      window: 1,
      max_windows: 3,
      steps: 4,
    });
    expect(events.filter((e) => e.stage === 'batch').map((e) => e.step)).toEqual([1, 2, 3, 4]);
  });

  it('renders a self-contained HTML page with inline SVG charts', () => {
    const html = renderBenchmarkHtml(report);
    expect(html).toMatch(/^<!doctype html>/);
    expect(html.match(/<svg /g)?.length).toBe(1 + report.results.length); // throughput chart + one histogram each
    expect(html).not.toMatch(/(src|href)\s*=\s*["']?\s*(https?:)?\/\//i);
    expect(html).not.toMatch(/<script|<link|@import|url\(/i);
  });
});

describe('benchmarkModel runner choice', () => {
  it('lists every unavailable runner with its reason, and fails only what was asked for', async () => {
    const report = await benchmarkModel(TWO_IO, { runners: ['onnxruntime-node', 'pytorch'], iters: 3, warmup: 0 });
    expect(report.ok).toBe(false);
    expect(report.skipped).toEqual([
      { runner: 'pytorch', reason: expect.stringMatching(/bare \.onnx file has no PyTorch model/), requested: true },
    ]);
    expect(report.results.map((r) => r.runner)).toEqual(['onnxruntime-node']);
  });

  it('skips GPU providers whose libraries are missing without failing a default run', async () => {
    const report = await benchmarkModel(TWO_IO, { iters: 3, warmup: 0, maxWindows: 2 });
    for (const [runner, provider] of [
      ['onnxruntime-node-cuda', 'cuda'],
      ['onnxruntime-node-tensorrt', 'tensorrt'],
    ] as const) {
      const status = checkProviderLibraries(provider);
      const skip = report.skipped.find((s) => s.runner === runner);
      if (status.available) expect(skip).toBeUndefined();
      else expect(skip?.reason).toContain(status.missing[0]);
    }
    expect(report.ok).toBe(true);
  });

  it('times windows by duration when asked', async () => {
    const report = await benchmarkModel(TWO_IO, {
      runners: ['onnxruntime-node'],
      durationS: 0.05,
      warmup: 0,
      maxWindows: 2,
    });
    const [result] = report.results;
    expect(report.settings).toMatchObject({ iters: null, duration_s: 0.05 });
    for (const w of result!.windows) expect(w.wall_ms).toBeGreaterThanOrEqual(50);
  });
});
