import type { ErrorObject } from 'ajv';
import { didYouMean } from './did-you-mean.js';
import { describeSchema, describeValue } from './describe.js';

export type IssuePath = (string | number)[];

/** One thing wrong with one field: what every validator reports and every OxvError lists. */
export interface SchemaIssue {
  /** Path segments of the offending value (for unknown keys, of the key). */
  path: IssuePath;
  /** Dotted name for humans: `model.input_shape[0]`, `options.log.level`. */
  field: string;
  /** The value found (undefined when the field is missing). */
  value: unknown;
  /** What would have been accepted, in words: `an integer ≥ 1`. */
  expected: string;
  /** The sentence after the field name: `must be an integer ≥ 1 (got the string "10")`. */
  message: string;
  /** Point at the key rather than the value (unknown keys), for sources that know lines. */
  atKey: boolean;
}

export function pathSegments(instancePath: string): IssuePath {
  if (!instancePath) return [];
  return instancePath
    .slice(1)
    .split('/')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((s) => (/^\d+$/.test(s) ? Number(s) : s));
}

/** `model.input_shape[0]`; `root` names the object itself (`options`), else the top level is `(top level)`. */
export function fieldName(path: readonly (string | number)[], root = ''): string {
  let out = root;
  for (const segment of path) out += typeof segment === 'number' ? `[${segment}]` : out ? `.${segment}` : segment;
  return out || '(top level)';
}

/** An issue found by a check JSON Schema cannot express (cross-field limits, instanceof, duplicates). */
export function createIssue(
  path: IssuePath,
  value: unknown,
  expected: string,
  options: { root?: string; message?: string } = {},
): SchemaIssue {
  return {
    path,
    field: fieldName(path, options.root),
    value,
    expected,
    message: options.message ?? `must be ${expected} (got ${describeValue(value)})`,
    atKey: false,
  };
}

function unknownKey(error: ErrorObject, path: IssuePath, root: string): SchemaIssue {
  const key = String((error.params as { additionalProperty: unknown }).additionalProperty);
  const allowed = Object.keys((error.parentSchema as { properties?: object } | undefined)?.properties ?? {});
  // A truncated key (`retryAfter` for `retryAfterSecs`) is too many edits away, yet plainly meant.
  const lower = key.toLowerCase();
  const guess =
    didYouMean(key, allowed, 3) ??
    (lower.length >= 3 ? allowed.find((name) => name.toLowerCase().startsWith(lower)) : undefined);
  const hint = guess ? `did you mean "${guess}"? ` : '';
  const list = allowed.length ? `allowed keys: ${allowed.join(', ')}` : 'no keys are allowed here';
  return {
    path: [...path, key],
    field: fieldName([...path, key], root),
    value: (error.data as Record<string, unknown> | undefined)?.[key],
    expected: allowed.length ? `one of the keys ${allowed.join(', ')}` : 'no key',
    message: `unknown key; ${hint}${list}`,
    atKey: true,
  };
}

function issueFor(error: ErrorObject, root: string): SchemaIssue {
  const path = pathSegments(error.instancePath);
  if (error.keyword === 'additionalProperties') return unknownKey(error, path, root);
  if (error.keyword === 'required') {
    const missing = String((error.params as { missingProperty: unknown }).missingProperty);
    const properties = (error.parentSchema as { properties?: Record<string, unknown> } | undefined)?.properties;
    const full = [...path, missing];
    return {
      path,
      field: fieldName(full, root),
      value: undefined,
      expected: describeSchema(properties?.[missing]),
      message: 'is required but missing',
      atKey: false,
    };
  }
  // Every other keyword (type, range, enum, length, pattern, union) reads the same: what the field's
  // schema accepts and what was there, so one field with two failed keywords gives one message.
  return createIssue(path, error.data, describeSchema(error.parentSchema), { root });
}

/**
 * Turns Ajv's errors (compiled with `verbose: true`, so each carries its data and schema) into one issue
 * per offending field. Union branches produce noise (every branch reports why it failed), so errors
 * inside an anyOf collapse into the anyOf's own issue.
 */
export function issuesFromAjv(errors: readonly ErrorObject[], root = ''): SchemaIssue[] {
  const anyOfPaths = errors.filter((e) => e.keyword === 'anyOf').map((e) => e.instancePath);
  const issues: SchemaIssue[] = [];
  const seen = new Set<string>();
  for (const error of errors) {
    const insideUnion = anyOfPaths.some((p) => error.instancePath.startsWith(p) && error.schemaPath.includes('anyOf'));
    if (insideUnion && error.keyword !== 'anyOf') continue;
    const issue = issueFor(error, root);
    const key = `${issue.field}|${issue.message}`;
    if (!seen.has(key)) {
      seen.add(key);
      issues.push(issue);
    }
  }
  return issues;
}
