import { describe, expect, it } from 'vitest';
import { RUNTIME_ERROR_CODES } from '../src/errors.js';
import { errorCodesSuite, readErrorsDoc } from './error-docs.js';

errorCodesSuite('@oxidizedvision/runtime', RUNTIME_ERROR_CODES);

// Runtime's test also guards the page itself: a code documented outside every package section has no table to be checked against.
describe('docs/errors.md', () => {
  it('documents every code inside the section of the package that owns it', () => {
    expect(readErrorsDoc().strayHeadings).toEqual([]);
  });
});
