/**
 * Minimal inline-SVG charts for the HTML report: no script, no CDN, nothing fetched, so the page opens
 * offline and can be attached to an issue or a CI artifact as one file.
 */

export const PALETTE = ['#1f77b4', '#d62728', '#2ca02c', '#9467bd', '#ff7f0e', '#17becf', '#8c564b', '#e377c2'];

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

/** A compact number for axis labels: 3 significant digits, thousands as k. */
export function shortNumber(value: number): string {
  if (value === 0) return '0';
  if (Math.abs(value) >= 10_000) return `${Number((value / 1000).toPrecision(3))}k`;
  return String(Number(value.toPrecision(3)));
}

/** Upper axis bound and tick step: 1, 2 or 5 × 10^k, about five ticks. */
function niceScale(max: number): { top: number; step: number } {
  if (!(max > 0)) return { top: 1, step: 0.2 };
  const raw = max / 5;
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * magnitude).find((s) => s >= raw)!;
  return { top: Math.ceil(max / step) * step, step };
}

export interface Series {
  name: string;
  values: (number | null)[];
}

const W = 640;
const H = 300;
const M = { left: 64, right: 16, top: 16, bottom: 48 };

function yAxis(top: number, step: number, label: string): string {
  const parts: string[] = [];
  for (let v = 0; v <= top + step / 2; v += step) {
    const y = M.top + (H - M.top - M.bottom) * (1 - v / top);
    parts.push(`<line x1="${M.left}" x2="${W - M.right}" y1="${y}" y2="${y}" class="grid"/>`);
    parts.push(`<text x="${M.left - 6}" y="${y + 4}" text-anchor="end">${shortNumber(v)}</text>`);
  }
  const mid = (H - M.bottom + M.top) / 2;
  parts.push(`<text transform="translate(14 ${mid}) rotate(-90)" text-anchor="middle">${escapeHtml(label)}</text>`);
  return parts.join('');
}

/** Lines over categorical x values (batch sizes, concurrency levels), with a legend. */
export function lineChart(options: { x: string[]; xLabel: string; yLabel: string; series: Series[] }): string {
  const { x, series } = options;
  const max = Math.max(0, ...series.flatMap((s) => s.values.filter((v): v is number => v !== null)));
  const { top, step } = niceScale(max);
  const plotW = W - M.left - M.right;
  const px = (i: number) => M.left + (x.length === 1 ? plotW / 2 : (plotW * i) / (x.length - 1));
  const py = (v: number) => M.top + (H - M.top - M.bottom) * (1 - v / top);
  const parts = [yAxis(top, step, options.yLabel)];
  x.forEach((label, i) =>
    parts.push(`<text x="${px(i)}" y="${H - M.bottom + 18}" text-anchor="middle">${escapeHtml(label)}</text>`),
  );
  parts.push(`<text x="${M.left + plotW / 2}" y="${H - 8}" text-anchor="middle">${escapeHtml(options.xLabel)}</text>`);
  series.forEach((s, k) => {
    const color = PALETTE[k % PALETTE.length];
    const points = s.values.flatMap((v, i) => (v === null ? [] : [[px(i), py(v), v] as const]));
    if (points.length > 1) {
      const path = points.map(([a, b]) => `${a.toFixed(1)},${b.toFixed(1)}`).join(' ');
      parts.push(`<polyline points="${path}" fill="none" stroke="${color}" stroke-width="2"/>`);
    }
    for (const [a, b, v] of points) {
      parts.push(
        `<circle cx="${a.toFixed(1)}" cy="${b.toFixed(1)}" r="4" fill="${color}"><title>${escapeHtml(s.name)}: ${shortNumber(v)}</title></circle>`,
      );
    }
  });
  const legend = series
    .map(
      (s, k) =>
        `<span class="key"><i style="background:${PALETTE[k % PALETTE.length]}"></i>${escapeHtml(s.name)}</span>`,
    )
    .join(' ');
  return `<figure><svg viewBox="0 0 ${W} ${H}" role="img">${parts.join('')}</svg><figcaption>${legend}</figcaption></figure>`;
}

/** Bars of a latency histogram, with p50 and p99 marked, titled for one batch size. */
export function histogramChart(options: {
  title: string;
  edges: number[];
  counts: number[];
  marks: { label: string; value: number }[];
  color: string;
  /** Said under the chart: what lies beyond its right edge. */
  note?: string;
}): string {
  const w = 300;
  const h = options.note ? 164 : 150;
  const m = { left: 8, right: 8, top: 22, bottom: options.note ? 44 : 30 };
  const { edges, counts } = options;
  const lo = edges[0] ?? 0;
  const hi = edges[edges.length - 1] ?? 1;
  const span = hi - lo || 1;
  const peak = Math.max(1, ...counts);
  const sx = (v: number) => m.left + ((v - lo) / span) * (w - m.left - m.right);
  const barW = (w - m.left - m.right) / Math.max(1, counts.length);
  const parts = [`<text x="${w / 2}" y="14" text-anchor="middle" class="title">${escapeHtml(options.title)}</text>`];
  counts.forEach((c, i) => {
    const bh = (c / peak) * (h - m.top - m.bottom);
    const x = m.left + i * barW;
    parts.push(
      `<rect x="${x.toFixed(1)}" y="${(h - m.bottom - bh).toFixed(1)}" width="${Math.max(1, barW - 1).toFixed(1)}" height="${bh.toFixed(1)}" fill="${options.color}"><title>${shortNumber(edges[i]!)}–${shortNumber(edges[i + 1] ?? hi)} ms: ${c}</title></rect>`,
    );
  });
  for (const [k, mark] of options.marks.entries()) {
    const x = sx(mark.value).toFixed(1);
    parts.push(
      `<line x1="${x}" x2="${x}" y1="${m.top}" y2="${h - m.bottom}" class="mark"/><text x="${x}" y="${m.top + 10 + 11 * k}" class="marklabel">${escapeHtml(mark.label)}</text>`,
    );
  }
  parts.push(`<text x="${m.left}" y="${h - m.bottom + 14}">${shortNumber(lo)} ms</text>`);
  parts.push(`<text x="${w - m.right}" y="${h - m.bottom + 14}" text-anchor="end">${shortNumber(hi)} ms</text>`);
  if (options.note)
    parts.push(
      `<text x="${w / 2}" y="${h - 4}" text-anchor="middle" class="marklabel">${escapeHtml(options.note)}</text>`,
    );
  return `<svg class="hist" viewBox="0 0 ${w} ${h}" role="img">${parts.join('')}</svg>`;
}
