/**
 * @oxidizedvision/runtime/schema — the one way options and config files are validated: a TypeBox schema
 * checked by Ajv, whose errors become issues (field, value, expected, message, with did-you-mean for
 * unknown keys), thrown as one coded OxvError. A subpath so the isomorphic root entry stays free of Ajv.
 */
export { createValidator, type Validator, type ValidatorOptions } from './validator.js';
export { createIssue, fieldName, issuesFromAjv, pathSegments, type IssuePath, type SchemaIssue } from './issues.js';
export { issuesError, type IssuesErrorOptions } from './issues-error.js';
export { describeSchema, describeValue } from './describe.js';
export { didYouMean, editDistance } from './did-you-mean.js';
