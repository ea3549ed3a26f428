import type { ServerBenchmarkReport } from '../server/types.js';
import type { MachineInfo, ModelBenchmarkReport } from '../types.js';
import { PALETTE, escapeHtml, histogramChart, lineChart } from './svg.js';

const STYLE = `body{font:14px/1.45 system-ui,sans-serif;margin:2rem auto;max-width:1000px;padding:0 1rem;color:#222}
h1{font-size:1.5rem}h2{margin-top:2rem;border-bottom:1px solid #ddd}table{border-collapse:collapse;margin:.5rem 0}
td,th{border:1px solid #ddd;padding:3px 8px;text-align:right}th{background:#f5f5f5}td:first-child,th:first-child{text-align:left}
svg text{font-size:11px;fill:#333}svg .title{font-weight:600}.grid{stroke:#e5e5e5}.mark{stroke:#000;stroke-dasharray:3 2}
.marklabel{font-size:10px}figure{margin:0}svg{max-width:100%}.hist{width:300px;margin:0 8px 8px 0}.key{margin-right:1rem}
table.text td{text-align:left}.key i{display:inline-block;width:12px;height:12px;margin-right:4px;vertical-align:-1px}.note{color:#666}`;

const f = (n: number, digits = 3) => (Number.isFinite(n) ? n.toFixed(digits) : '–');

function table(head: string[], rows: string[][], kind = ''): string {
  const th = head.map((h) => `<th>${escapeHtml(h)}</th>`).join('');
  const body = rows.map((r) => `<tr>${r.map((c) => `<td>${escapeHtml(c)}</td>`).join('')}</tr>`).join('');
  return `<table${kind ? ` class="${kind}"` : ''}><thead><tr>${th}</tr></thead><tbody>${body}</tbody></table>`;
}

function page(title: string, body: string[]): string {
  return `<!doctype html>\n<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title><style>${STYLE}</style></head>\n<body>\n${body.join('\n')}\n</body></html>\n`;
}

function machineSection(m: MachineInfo, startedAt: string): string {
  return `<h2>Machine</h2>${table(
    ['Field', 'Value'],
    [
      ['CPU', `${m.cpu_model} (${m.cores} logical cores)`],
      ['Memory', `${m.memory_gb} GB`],
      ['Platform', `${m.platform} ${m.arch}, Node ${m.node}`],
      ['onnxruntime', `node ${m.onnxruntime.node ?? '–'}, web ${m.onnxruntime.web ?? '–'}`],
      ['PyTorch', m.torch ? `${m.torch} (${m.python})` : '–'],
      ['Load average at start', m.load_average.join(', ')],
      ['Started', startedAt],
    ],
  )}`;
}

/** The model benchmark as one self-contained page: throughput vs batch size, latency histograms, tables. */
export function renderModelReportHtml(report: ModelBenchmarkReport): string {
  const runners = [...new Set(report.results.map((r) => r.runner))];
  const batches = report.settings.batch_sizes;
  const find = (runner: string, batch: number) =>
    report.results.find((r) => r.runner === runner && r.batch_size === batch);
  const body = [
    `<h1>Benchmark: ${escapeHtml(report.target.model)}</h1>`,
    `<p class="note">${escapeHtml(report.target.path)} · ${report.settings.iters !== null ? `${report.settings.iters} inferences` : `${report.settings.duration_s} s`} per window, up to ${report.settings.max_windows} windows until two p50 agree within ${report.settings.stability_pct}% · warmup ${report.settings.warmup} · percentiles interpolate linearly between ranks</p>`,
    '<h2>Throughput vs batch size</h2>',
    lineChart({
      x: batches.map(String),
      xLabel: 'batch size',
      yLabel: 'images / s',
      series: runners.map((runner) => ({
        name: runner,
        values: batches.map((b) => find(runner, b)?.throughput_ips ?? null),
      })),
    }),
    '<h2>Latency distribution</h2>',
  ];
  runners.forEach((runner, k) => {
    const charts = batches.flatMap((b) => {
      const r = find(runner, b);
      if (!r) return [];
      return [
        histogramChart({
          title: `batch ${b} · ${r.iterations} inferences`,
          edges: r.histogram.edges_ms,
          counts: r.histogram.counts,
          marks: [
            { label: 'p50', value: r.latency_ms.p50 },
            { label: 'p90', value: r.latency_ms.p90 },
          ],
          note: r.histogram.above > 0 ? `${r.histogram.above} above p99, up to ${f(r.latency_ms.max)} ms` : '',
          color: PALETTE[k % PALETTE.length]!,
        }),
      ];
    });
    body.push(`<h3>${escapeHtml(runner)}</h3><div>${charts.join('')}</div>`);
  });
  const rows = report.results.map((r) => [
    r.runner,
    String(r.batch_size),
    f(r.latency_ms.mean),
    f(r.latency_ms.p50),
    f(r.latency_ms.p90),
    f(r.latency_ms.p99),
    f(r.throughput_ips, 1),
    f(r.peak_rss_mb, 1),
    f(r.load_ms, 1),
    f(r.first_inference_ms),
    r.stable ? 'yes' : `no (${f(r.p50_spread_pct, 1)}%)`,
  ]);
  body.push(
    '<h2>Results</h2>',
    table(
      [
        'Runner',
        'Batch',
        'Mean ms',
        'p50 ms',
        'p90 ms',
        'p99 ms',
        'Images/s',
        'Peak RSS MB',
        'Load ms',
        'First ms',
        'Stable',
      ],
      rows,
    ),
  );
  const problems = [
    ...report.skipped.map((s) => [s.runner, '', 'skipped', s.reason]),
    ...report.failures.map((e) => [e.runner, e.batch_size === null ? '' : String(e.batch_size), e.code, e.message]),
  ];
  if (problems.length > 0)
    body.push('<h2>Skipped and failed</h2>', table(['Runner', 'Batch', 'Why', 'Detail'], problems, 'text'));
  body.push(machineSection(report.machine, report.started_at));
  return page(`Benchmark: ${report.target.model}`, body);
}

/** The server load sweep: throughput and latency percentiles against concurrency, per batch size. */
export function renderServerReportHtml(report: ServerBenchmarkReport): string {
  const levels = report.settings.concurrency;
  const series = report.settings.batch_sizes.map((b) => ({
    batch: b,
    rows: levels.map((c) => report.results.find((r) => r.batch_size === b && r.concurrency === c)),
  }));
  const body = [
    `<h1>Load test: ${escapeHtml(report.model)}</h1>`,
    `<p class="note">${escapeHtml(report.server)} · ${report.protocol} payloads · closed-loop clients · ${report.settings.duration_s} s per level after ${report.settings.warmup} warmup request(s) per client</p>`,
    '<h2>Throughput vs concurrency</h2>',
    lineChart({
      x: levels.map(String),
      xLabel: 'concurrent clients',
      yLabel: 'images / s',
      series: series.map((s) => ({ name: `batch ${s.batch}`, values: s.rows.map((r) => r?.throughput_ips ?? null) })),
    }),
    '<h2>Latency vs concurrency</h2>',
    lineChart({
      x: levels.map(String),
      xLabel: 'concurrent clients',
      yLabel: 'latency ms',
      series: series.flatMap((s) =>
        (['p50', 'p90', 'p99'] as const).map((p) => ({
          name: `batch ${s.batch} ${p}`,
          values: s.rows.map((r) => r?.latency_ms?.[p] ?? null),
        })),
      ),
    }),
    '<h2>Results</h2>',
    table(
      ['Batch', 'Clients', 'Requests', 'Errors', 'Infer/s', 'Images/s', 'p50 ms', 'p90 ms', 'p99 ms', 'Client CPU %'],
      report.results.map((r) => [
        String(r.batch_size),
        String(r.concurrency),
        String(r.requests),
        String(r.errors),
        f(r.throughput_rps, 1),
        f(r.throughput_ips, 1),
        r.latency_ms ? f(r.latency_ms.p50) : '–',
        r.latency_ms ? f(r.latency_ms.p90) : '–',
        r.latency_ms ? f(r.latency_ms.p99) : '–',
        f(r.client_cpu_pct, 0),
      ]),
    ),
  ];
  const errors = report.results.flatMap((r) => r.error_samples.map((e) => [`${r.batch_size} × ${r.concurrency}`, e]));
  if (errors.length > 0) body.push('<h2>Errors</h2>', table(['Level', 'Message'], errors, 'text'));
  body.push(machineSection(report.machine, report.started_at));
  return page(`Load test: ${report.model}`, body);
}

export function renderBenchmarkHtml(report: ModelBenchmarkReport | ServerBenchmarkReport): string {
  return report.kind === 'server' ? renderServerReportHtml(report) : renderModelReportHtml(report);
}
