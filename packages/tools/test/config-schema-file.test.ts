import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Ajv } from 'ajv';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { renderConfigSchema, SCHEMA_FILE } from '../../../scripts/generate-config-schema.mjs';

const repoFile = (path: string) => fileURLToPath(new URL(`../../../${path}`, import.meta.url));
const committed = (): string => readFileSync(SCHEMA_FILE, 'utf8');
const schema = (): Record<string, unknown> => JSON.parse(committed()) as Record<string, unknown>;

function compile() {
  const ajv = new Ajv({ allErrors: true, strict: false });
  return ajv.compile(schema());
}

/** The ```yaml block under "Full annotated example" in docs/config.md. */
function docsExample(): unknown {
  const text = readFileSync(repoFile('docs/config.md'), 'utf8');
  const section = text.slice(text.indexOf('## Full annotated example'));
  const block = /```yaml\n([\s\S]*?)```/.exec(section);
  if (!block) throw new Error('docs/config.md has no ```yaml block under "## Full annotated example"');
  return parse(block[1]!);
}

describe('config.schema.json', () => {
  it('is exactly what scripts/generate-config-schema.mjs generates from ConfigSchema now', () => {
    expect(committed(), 'config.schema.json is stale: run "node scripts/generate-config-schema.mjs"').toBe(
      renderConfigSchema(),
    );
  });

  it('declares draft-07 and is a valid draft-07 schema', () => {
    const ajv = new Ajv({ strict: false });
    expect(schema().$schema).toBe('http://json-schema.org/draft-07/schema#');
    expect(ajv.validateSchema(schema()), JSON.stringify(ajv.errors)).toBe(true);
  });

  it('accepts examples/unet-denoiser/config.yml', () => {
    const file = repoFile('examples/unet-denoiser/config.yml');
    expect(existsSync(file), `${file} is missing`).toBe(true);
    const validate = compile();
    expect(validate(parse(readFileSync(file, 'utf8'))), JSON.stringify(validate.errors, null, 2)).toBe(true);
  });

  it('accepts the full annotated example of docs/config.md', () => {
    const validate = compile();
    expect(validate(docsExample()), JSON.stringify(validate.errors, null, 2)).toBe(true);
  });

  it('rejects an unknown key, as the loader does', () => {
    const validate = compile();
    expect(validate({ model: { path: 'm.py', class_name: 'M', input_shape: [1, 3, 8, 8] }, validate: {} })).toBe(false);
    expect(validate.errors?.[0]?.keyword).toBe('additionalProperties');
  });
});
