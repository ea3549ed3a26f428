export interface Bar {
  label: string;
  value: number;
  /** Text shown after the bar (formatted value, percent). */
  note: string;
}

export const escapeHtml = (text: string): string =>
  text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

/**
 * A horizontal bar chart as inline SVG (no script, no CDN: the report must open offline and in mail
 * attachments). Labels are truncated, not wrapped, so rows stay aligned.
 */
export function barChart(title: string, bars: Bar[], colour = '#3b6ea5'): string {
  const row = 20;
  const labelWidth = 260;
  const barWidth = 420;
  const height = bars.length * row + 30;
  const max = Math.max(...bars.map((b) => b.value), Number.MIN_VALUE);
  const rows = bars.map((b, i) => {
    const y = 24 + i * row;
    const w = Math.max(1, (b.value / max) * barWidth);
    const label = b.label.length > 40 ? `${b.label.slice(0, 39)}…` : b.label;
    return (
      `<text x="${labelWidth - 6}" y="${y + 13}" text-anchor="end">${escapeHtml(label)}</text>` +
      `<rect x="${labelWidth}" y="${y + 2}" width="${w.toFixed(1)}" height="${row - 6}" fill="${colour}"><title>${escapeHtml(`${b.label}: ${b.note}`)}</title></rect>` +
      `<text x="${labelWidth + w + 6}" y="${y + 13}">${escapeHtml(b.note)}</text>`
    );
  });
  return (
    `<figure><svg xmlns="http://www.w3.org/2000/svg" width="${labelWidth + barWidth + 160}" height="${height}" font-family="sans-serif" font-size="12" role="img" aria-label="${escapeHtml(title)}">` +
    `<text x="0" y="14" font-weight="bold" font-size="13">${escapeHtml(title)}</text>${rows.join('')}</svg></figure>`
  );
}
