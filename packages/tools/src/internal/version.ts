import { readFileSync } from 'node:fs';

/** The tools package version, read once from its package.json (it ships beside dist/). */
export const TOOLS_VERSION: string = (
  JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }
).version;
