import { OxvError, type ErrorCode } from '../errors.js';
import type { SchemaIssue } from './issues.js';

export interface IssuesErrorOptions {
  /** One line of the message per issue; default `<field> <message>`. The config loader adds file:line:col. */
  line?: (issue: SchemaIssue) => string;
  hint?: string;
  /** Merged into `details` beside `issues` (e.g. the file). */
  details?: Record<string, unknown>;
  cause?: unknown;
}

const isPrimitive = (value: unknown) => value === null || ['string', 'number', 'boolean'].includes(typeof value);

/**
 * One coded error listing every issue: `<title>:` then one indented line per issue, and in `details.issues`
 * the field, the value (when it is a plain JSON value), what was expected and the message.
 */
export function issuesError(
  code: ErrorCode,
  title: string,
  issues: readonly SchemaIssue[],
  options: IssuesErrorOptions = {},
): OxvError {
  const line = options.line ?? ((issue: SchemaIssue) => `${issue.field} ${issue.message}`);
  const head = issues.length === 1 ? title : `${title} (${issues.length} problems)`;
  return new OxvError(code, `${head}:\n  ${issues.map(line).join('\n  ')}`, {
    cause: options.cause,
    hint: options.hint,
    details: {
      ...options.details,
      issues: issues.map((issue) => ({
        field: issue.field,
        ...(isPrimitive(issue.value) ? { value: issue.value } : {}),
        expected: issue.expected,
        message: issue.message,
      })),
    },
  });
}
