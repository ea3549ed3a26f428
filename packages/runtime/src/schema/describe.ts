/** The words every validation message uses for a value and for what a schema accepts. */

type JsonSchema = Record<string, unknown>;

/** `the string "10"`, `-3`, `a list [1,2]`, `an object`: what a message says was got. */
export function describeValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return `a list ${JSON.stringify(value).slice(0, 60)}`;
  if (typeof value === 'string') return `the string ${JSON.stringify(value)}`;
  if (typeof value === 'function') return 'a function';
  if (typeof value === 'object') return value.constructor === Object ? 'an object' : `a ${value.constructor.name}`;
  return String(value);
}

function range(schema: JsonSchema): string {
  const { minimum: min, maximum: max, exclusiveMinimum: xmin, exclusiveMaximum: xmax } = schema;
  if (typeof min === 'number' && typeof max === 'number') return ` from ${min} to ${max}`;
  const parts: string[] = [];
  if (typeof min === 'number') parts.push(`≥ ${min}`);
  if (typeof xmin === 'number') parts.push(`> ${xmin}`);
  if (typeof max === 'number') parts.push(`≤ ${max}`);
  if (typeof xmax === 'number') parts.push(`< ${xmax}`);
  return parts.length ? ` ${parts.join(' and ')}` : '';
}

function count(min: unknown, max: unknown): string {
  if (typeof min === 'number' && typeof max === 'number')
    return min === max ? ` of ${min} items` : ` of ${min} to ${max} items`;
  if (min === 1) return '';
  if (typeof min === 'number') return ` of at least ${min} items`;
  if (typeof max === 'number') return ` of at most ${max} items`;
  return '';
}

function describeString(schema: JsonSchema): string {
  if (typeof schema.pattern === 'string') return `a string matching /${schema.pattern}/`;
  return schema.minLength === 1 ? 'a non-empty string' : 'a string';
}

/**
 * `an integer ≥ 1`, `one of "json", "pretty"`, `a non-empty list`: what a schema accepts, in words. A
 * schema can say it itself with an `expected` annotation where the JSON Schema wording would be cryptic.
 */
export function describeSchema(schema: unknown): string {
  if (typeof schema !== 'object' || schema === null) return 'a valid value';
  const s = schema as JsonSchema;
  if (typeof s.expected === 'string') return s.expected;
  if (Array.isArray(s.enum)) return `one of ${s.enum.map((v) => JSON.stringify(v)).join(', ')}`;
  if ('const' in s) return JSON.stringify(s.const);
  if (Array.isArray(s.anyOf) && s.anyOf.every((b) => typeof b === 'object' && b !== null && 'const' in b))
    return `one of ${s.anyOf.map((b: { const: unknown }) => JSON.stringify(b.const)).join(', ')}`;
  if (Array.isArray(s.anyOf)) return [...new Set(s.anyOf.map(describeSchema))].join(' or ');
  switch (s.type) {
    case 'integer':
      return `an integer${range(s)}`;
    case 'number':
      return `a number${range(s)}`;
    case 'string':
      return describeString(s);
    case 'boolean':
      return 'a boolean';
    case 'null':
      return 'null';
    case 'array':
      return `${s.minItems === 1 && s.maxItems === undefined ? 'a non-empty list' : 'a list'}${count(s.minItems, s.maxItems)}`;
    case 'object':
      return 'an object';
    default:
      return 'a valid value';
  }
}
