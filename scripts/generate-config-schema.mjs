#!/usr/bin/env node
/**
 * Writes config.schema.json (repo root) from the TypeBox ConfigSchema in @oxidizedvision/tools, the one
 * source of truth for the YAML config. Run after `npm run build`:
 *
 *   node scripts/generate-config-schema.mjs           # rewrite config.schema.json
 *   node scripts/generate-config-schema.mjs --check   # exit 1 if the committed file is stale
 *
 * The output is byte-for-byte what `oxidizedvision config-schema` prints, and
 * packages/tools/test/config-schema-file.test.ts fails when the committed file drifts from it.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { configJsonSchema } from '@oxidizedvision/tools';

export const SCHEMA_FILE = fileURLToPath(new URL('../config.schema.json', import.meta.url));

/** The file's exact text: configJsonSchema() is plain draft-07 JSON Schema (defaults no longer required). */
export function renderConfigSchema() {
  return `${JSON.stringify(configJsonSchema(), null, 2)}\n`;
}

function main(argv) {
  const text = renderConfigSchema();
  if (argv.includes('--check')) {
    let committed = '';
    try {
      committed = readFileSync(SCHEMA_FILE, 'utf8');
    } catch {
      // a missing file is stale too
    }
    if (committed === text) return 0;
    process.stderr.write(`${SCHEMA_FILE} is stale: run "node scripts/generate-config-schema.mjs"\n`);
    return 1;
  }
  writeFileSync(SCHEMA_FILE, text);
  process.stderr.write(`wrote ${SCHEMA_FILE}\n`);
  return 0;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === resolve(process.argv[1]))
  process.exitCode = main(process.argv.slice(2));
