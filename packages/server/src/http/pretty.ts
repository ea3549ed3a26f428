import type { LogStream } from '../options.js';

const LEVELS: Record<number, string> = { 10: 'TRACE', 20: 'DEBUG', 30: 'INFO', 40: 'WARN', 50: 'ERROR', 60: 'FATAL' };
const SKIP = new Set(['level', 'time', 'pid', 'hostname', 'msg', 'reqId', 'req', 'res', 'responseTime', 'err']);

interface Line {
  level?: number;
  time?: number;
  msg?: string;
  reqId?: string;
  req?: { method?: string; url?: string };
  res?: { statusCode?: number };
  responseTime?: number;
  err?: { message?: string };
  [key: string]: unknown;
}

/** One pino JSON line as `12:00:01.234 INFO [req-id] message key=value`. */
export function formatPretty(json: string): string {
  let line: Line;
  try {
    line = JSON.parse(json) as Line;
  } catch {
    return json;
  }
  const time = new Date(line.time ?? Date.now()).toISOString().slice(11, 23);
  const parts = [time, (LEVELS[line.level ?? 30] ?? 'INFO').padEnd(5)];
  if (line.reqId) parts.push(`[${line.reqId}]`);
  parts.push(line.msg ?? '');
  if (line.req?.method) parts.push(`${line.req.method} ${line.req.url ?? ''}`);
  if (line.res?.statusCode) parts.push(`→ ${line.res.statusCode}`);
  if (typeof line.responseTime === 'number') parts.push(`${line.responseTime.toFixed(1)} ms`);
  const said = line.msg ?? '';
  for (const [key, value] of Object.entries(line)) {
    // "model slow version 1 is READY" needs no "model=slow version=1 state=READY" after it.
    const repeats = (typeof value === 'string' || typeof value === 'number') && said.includes(String(value));
    if (!SKIP.has(key) && !repeats) parts.push(`${key}=${typeof value === 'string' ? value : JSON.stringify(value)}`);
  }
  if (line.err?.message) parts.push(`error=${JSON.stringify(line.err.message)}`);
  return `${parts.join(' ')}\n`;
}

/**
 * pino-pretty is a development dependency elsewhere and not installed here; this covers what a person
 * reading a terminal needs (time, level, request id, message) in a few lines, synchronously.
 */
export function prettyStream(target: LogStream): LogStream {
  return { write: (chunk: string) => target.write(formatPretty(chunk)) };
}
