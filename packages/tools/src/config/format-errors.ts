import type { ErrorObject } from 'ajv';
import { didYouMean } from '../internal/did-you-mean.js';

export interface ConfigIssue {
  /** JSON path segments of the offending value (or of the parent, for missing keys). */
  path: (string | number)[];
  /** Dotted name for humans: `model.input_shape[0]`. */
  field: string;
  message: string;
  /** Point at the key rather than the value (unknown keys). */
  atKey: boolean;
}

export function pathSegments(instancePath: string): (string | number)[] {
  if (!instancePath) return [];
  return instancePath
    .slice(1)
    .split('/')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((s) => (/^\d+$/.test(s) ? Number(s) : s));
}

export function fieldName(path: readonly (string | number)[]): string {
  let out = '';
  for (const segment of path) out += typeof segment === 'number' ? `[${segment}]` : out ? `.${segment}` : segment;
  return out || '(top level)';
}

function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return `a list ${JSON.stringify(value).slice(0, 60)}`;
  if (typeof value === 'object') return 'a mapping';
  if (typeof value === 'string') return `the string ${JSON.stringify(value)}`;
  return `${typeof value} ${String(value)}`;
}

function issueFor(error: ErrorObject): ConfigIssue {
  const path = pathSegments(error.instancePath);
  const got = describeValue(error.data);
  const params = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case 'required': {
      const full = [...path, String(params.missingProperty)];
      return { path, field: fieldName(full), message: 'is required but missing', atKey: false };
    }
    case 'additionalProperties': {
      const key = String(params.additionalProperty);
      const allowed = Object.keys((error.parentSchema as { properties?: object })?.properties ?? {});
      const guess = didYouMean(key, allowed, 3);
      const hint = guess ? `did you mean "${guess}"? ` : '';
      return {
        path: [...path, key],
        field: fieldName([...path, key]),
        message: `unknown key; ${hint}allowed keys: ${allowed.join(', ')}`,
        atKey: true,
      };
    }
    case 'enum': {
      const allowed = (params.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ');
      return { path, field: fieldName(path), message: `must be one of ${allowed} (got ${got})`, atKey: false };
    }
    case 'type':
      return { path, field: fieldName(path), message: `expected ${String(params.type)}, got ${got}`, atKey: false };
    case 'anyOf':
      return {
        path,
        field: fieldName(path),
        message: `has an unsupported form (got ${got}); see docs/config.md`,
        atKey: false,
      };
    default:
      return { path, field: fieldName(path), message: `${error.message ?? 'is invalid'} (got ${got})`, atKey: false };
  }
}

/**
 * Turns Ajv's errors into one issue per offending field. Union branches produce noise (every branch
 * reports why it failed), so errors inside an anyOf collapse into the anyOf's own message.
 */
export function formatSchemaErrors(errors: readonly ErrorObject[]): ConfigIssue[] {
  const anyOfPaths = new Set(errors.filter((e) => e.keyword === 'anyOf').map((e) => e.instancePath));
  const issues: ConfigIssue[] = [];
  const seen = new Set<string>();
  for (const error of errors) {
    const insideUnion = [...anyOfPaths].some(
      (p) => error.instancePath.startsWith(p) && error.schemaPath.includes('anyOf'),
    );
    if (insideUnion && error.keyword !== 'anyOf') continue;
    const issue = issueFor(error);
    const key = `${issue.field}|${issue.message}`;
    if (!seen.has(key)) {
      seen.add(key);
      issues.push(issue);
    }
  }
  return issues;
}
