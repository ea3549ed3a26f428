import type { Document, LineCounter } from 'yaml';
import type { OxvError } from '@oxidizedvision/runtime';
import { issuesError, type SchemaIssue } from '@oxidizedvision/runtime/schema';
import { locate } from './yaml-locate.js';

/** Context the semantic checks use to report a problem at the right line of the right file. */
export interface ConfigSource {
  file: string;
  doc: Document;
  lines: LineCounter;
}

export function issueMessage(source: ConfigSource, issue: SchemaIssue): string {
  const where = locate(source.doc, source.lines, issue.path, issue.atKey);
  const position = where ? `${source.file}:${where.line}:${where.column}` : source.file;
  return `${position}: ${issue.field} ${issue.message}`;
}

export function configError(
  source: ConfigSource,
  issues: readonly SchemaIssue[],
  code: 'ERR_CONFIG_INVALID' | 'ERR_FILE_NOT_FOUND' = 'ERR_CONFIG_INVALID',
): OxvError {
  return issuesError(code, 'Invalid config', issues, {
    line: (issue) => issueMessage(source, issue),
    details: { file: source.file },
    hint: 'See docs/config.md for every field, or point your editor at config.schema.json.',
  });
}
