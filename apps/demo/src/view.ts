/** DOM helpers: every message the user must see goes through here, so nothing fails silently. */
import { isOxvError, type RawImage } from '@oxidizedvision/runtime';
import { drawRaw } from './decode.js';

export const $ = <T extends HTMLElement>(id: string): T => document.getElementById(id) as T;

export function showError(error: unknown): { code: string; message: string } {
  const code = isOxvError(error) ? error.code : 'ERR_UNEXPECTED';
  const message = error instanceof Error ? error.message : String(error);
  const box = $('error');
  box.textContent = `${code}: ${message}`;
  box.hidden = false;
  return { code, message };
}

export function clearError(): void {
  $('error').hidden = true;
  $('error').textContent = '';
}

export function setStatus(
  id: 'model-status' | 'run-status' | 'compare-status' | 'server-models-status',
  text: string,
): void {
  $(id).textContent = text;
}

export function drawImage(id: 'input-canvas' | 'output-canvas', image: RawImage | null): void {
  const canvas = $<HTMLCanvasElement>(id);
  if (image) drawRaw(canvas, image);
  else canvas.width = canvas.height = 0;
}

export function renderTopK(items: { label: string; p: number }[]): void {
  const list = $('top-k');
  list.replaceChildren(
    ...items.map(({ label, p }) => {
      const li = document.createElement('li');
      const bar = document.createElement('span');
      bar.className = 'bar';
      bar.style.width = `${Math.max(2, p * 300)}px`;
      li.append(bar, `${label} — ${(p * 100).toFixed(1)}%`);
      return li;
    }),
  );
}

export function renderList(id: 'detections', lines: string[]): void {
  $(id).replaceChildren(
    ...lines.map((line) => {
      const li = document.createElement('li');
      li.textContent = line;
      return li;
    }),
  );
}

export function renderTimings(rows: [string, string][]): void {
  $('timings').replaceChildren(
    ...rows.map(([name, value]) => {
      const tr = document.createElement('tr');
      const th = document.createElement('th');
      th.scope = 'row';
      th.textContent = name;
      const td = document.createElement('td');
      td.textContent = value;
      tr.append(th, td);
      return tr;
    }),
  );
}

export const ms = (value: number | null | undefined): string => (value == null ? '—' : `${value.toFixed(1)} ms`);
