import { Ajv, type ValidateFunction } from 'ajv';
import type { TSchema } from '@sinclair/typebox';
import { issuesFromAjv, type SchemaIssue } from './issues.js';

export interface ValidatorOptions {
  /** Name of the object in messages: `options` gives `options.log.level`. A call may pass another. */
  root?: string;
  /**
   * Fill schema defaults into the value being checked. Only for values the caller owns (a parsed file);
   * never for a caller's options object, which must not be mutated.
   */
  useDefaults?: boolean;
}

// Two instances because useDefaults is per instance; strict off so schemas may carry `expected` and
// `description` annotations.
const instances = new Map<boolean, Ajv>();
function ajvFor(useDefaults: boolean): Ajv {
  let ajv = instances.get(useDefaults);
  if (!ajv) {
    ajv = new Ajv({ allErrors: true, verbose: true, strict: false, useDefaults });
    instances.set(useDefaults, ajv);
  }
  return ajv;
}

/** Every issue of `value` (empty = valid); `root` overrides the name given at creation. */
export type Validator = (value: unknown, root?: string) => SchemaIssue[];

/** Compiles `schema` on first use (so importing a module with schemas stays cheap). */
export function createValidator(schema: TSchema, options: ValidatorOptions = {}): Validator {
  let compiled: ValidateFunction | undefined;
  return (value, root = options.root) => {
    compiled ??= ajvFor(options.useDefaults ?? false).compile(schema);
    return compiled(value) ? [] : issuesFromAjv(compiled.errors ?? [], root);
  };
}
