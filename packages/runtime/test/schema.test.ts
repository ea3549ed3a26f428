import { Type } from '@sinclair/typebox';
import { describe, expect, it } from 'vitest';
import { createIssue, createValidator, describeSchema, issuesError } from '../dist/schema/index.js';

const Options = Type.Object(
  {
    size: Type.Optional(Type.Integer({ minimum: 1 })),
    level: Type.Optional(Type.Union([Type.Literal('low'), Type.Literal('high')])),
    nested: Type.Optional(
      Type.Object({ ratio: Type.Number({ exclusiveMinimum: 0, maximum: 1 }) }, { additionalProperties: false }),
    ),
  },
  { additionalProperties: false },
);
const validate = createValidator(Options, { root: 'options' });

describe('runtime/schema', () => {
  it('says what a field expected and what it got', () => {
    expect(validate({ size: '10' })).toEqual([
      expect.objectContaining({
        field: 'options.size',
        value: '10',
        expected: 'an integer ≥ 1',
        message: 'must be an integer ≥ 1 (got the string "10")',
      }),
    ]);
    expect(validate({ level: 'mid' })[0]?.message).toBe('must be one of "low", "high" (got the string "mid")');
    expect(validate({ nested: {} })[0]).toMatchObject({
      field: 'options.nested.ratio',
      message: 'is required but missing',
    });
  });

  it('suggests the closest key for an unknown one, also for a truncated key', () => {
    expect(validate({ sise: 1 })[0]?.message).toBe(
      'unknown key; did you mean "size"? allowed keys: size, level, nested',
    );
    expect(validate({ nested: { ratio: 0.5, rat: 1 } })[0]).toMatchObject({
      field: 'options.nested.rat',
      message: 'unknown key; did you mean "ratio"? allowed keys: ratio',
      atKey: true,
    });
  });

  it('reports one issue per field even when several keywords fail', () => {
    expect(validate({ size: 0.5 })).toHaveLength(1);
    expect(validate({ size: 0, level: 'x' }, 'opts').map((i) => i.field)).toEqual(['opts.size', 'opts.level']);
  });

  it('describes ranges, lists and strings in words', () => {
    expect(describeSchema(Type.Integer({ minimum: 0, maximum: 19 }))).toBe('an integer from 0 to 19');
    expect(describeSchema(Type.Number({ exclusiveMinimum: 0 }))).toBe('a number > 0');
    expect(describeSchema(Type.Array(Type.Integer(), { minItems: 2, maxItems: 8 }))).toBe('a list of 2 to 8 items');
    expect(describeSchema(Type.String({ minLength: 1 }))).toBe('a non-empty string');
  });

  it('builds one coded error listing every issue with its details', () => {
    const issues = [...validate({ size: 0 }), createIssue(['url'], 3, 'a URL', { root: 'options' })];
    const err = issuesError('ERR_OPTIONS_INVALID', 'Invalid thing options', issues);
    expect(err.code).toBe('ERR_OPTIONS_INVALID');
    expect(err.message).toBe(
      'Invalid thing options (2 problems):\n  options.size must be an integer ≥ 1 (got 0)\n  options.url must be a URL (got 3)',
    );
    expect(err.details?.issues).toEqual([
      { field: 'options.size', value: 0, expected: 'an integer ≥ 1', message: 'must be an integer ≥ 1 (got 0)' },
      { field: 'options.url', value: 3, expected: 'a URL', message: 'must be a URL (got 3)' },
    ]);
  });
});
