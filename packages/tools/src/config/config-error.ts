import type { Document, LineCounter } from 'yaml';
import { OxvError } from '@oxidizedvision/runtime';
import type { ConfigIssue } from './format-errors.js';
import { locate } from './yaml-locate.js';

/** Context the semantic checks use to report a problem at the right line of the right file. */
export interface ConfigSource {
  file: string;
  doc: Document;
  lines: LineCounter;
}

export function issueMessage(source: ConfigSource, issue: ConfigIssue): string {
  const where = locate(source.doc, source.lines, issue.path, issue.atKey);
  const position = where ? `${source.file}:${where.line}:${where.column}` : source.file;
  return `${position}: ${issue.field} ${issue.message}`;
}

export function configError(
  source: ConfigSource,
  issues: ConfigIssue[],
  code: 'ERR_CONFIG_INVALID' | 'ERR_FILE_NOT_FOUND' = 'ERR_CONFIG_INVALID',
): OxvError {
  const lines = issues.map((issue) => issueMessage(source, issue));
  const head = issues.length === 1 ? 'Invalid config' : `Invalid config (${issues.length} problems)`;
  return new OxvError(code, `${head}:\n  ${lines.join('\n  ')}`, {
    details: { file: source.file, issues: issues.map((i) => ({ field: i.field, message: i.message })) },
    hint: 'See docs/config.md for every field, or point your editor at config.schema.json.',
  });
}
