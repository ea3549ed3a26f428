import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { ConfigSchema } from '@oxidizedvision/tools';
import { describe, expect, it } from 'vitest';
import { createProgram } from '../dist/main.js';
import { cli } from './helpers/cli.js';

const readDoc = (path: string): string =>
  readFileSync(fileURLToPath(new URL(`../../../${path}`, import.meta.url)), 'utf8');
const escape = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** The text from a `## name` / `### name` heading up to the next heading of the same or a higher level. */
function section(doc: string, name: string): string | undefined {
  const heading = new RegExp(`^(#{2,3}) \`?${escape(name)}\`?\\s*$`, 'm').exec(doc);
  if (!heading) return undefined;
  const rest = doc.slice(heading.index + heading[0].length);
  const next = new RegExp(`^#{2,${heading[1]!.length}} `, 'm').exec(rest);
  return next ? rest.slice(0, next.index) : rest;
}

/** `--flag` written as code: `--flag`, `--flag <x>`, `-v, --flag`, not a prefix of a longer flag. */
const mentionsOption = (text: string, long: string): boolean =>
  new RegExp(`\`(?:-\\w, )?${escape(long)}(?![\\w-])`).test(text);

interface SchemaNode {
  properties?: Record<string, SchemaNode>;
}

describe('docs/cli.md', () => {
  const doc = readDoc('docs/cli.md');
  const program = createProgram();

  it('documents every global option', () => {
    const globals = section(doc, 'Global options') ?? '';
    const missing = program.options.map((o) => o.long!).filter((long) => !mentionsOption(globals, long));
    expect(missing).toEqual([]);
  });

  it.each(program.commands.map((cmd) => [cmd.name(), cmd] as const))(
    'documents the %s command, its arguments and every long option',
    (name, cmd) => {
      const text = section(doc, name);
      expect(text, `docs/cli.md needs a "## ${name}" section`).toBeDefined();
      const options = cmd.options.map((o) => o.long!).filter((long) => !mentionsOption(text!, long));
      expect(options, `options of ${name} missing from its section`).toEqual([]);
      const args = cmd.registeredArguments.map((a) => `<${a.name()}>`).filter((arg) => !text!.includes(arg));
      expect(args, `arguments of ${name} missing from its section`).toEqual([]);
    },
  );

  it('documents no command the program lacks', () => {
    const names = new Set(program.commands.map((cmd) => cmd.name()));
    const index = doc.slice(0, doc.indexOf('\n## ')); // the command table above the first section
    const listed = [...index.matchAll(/^\| \[`([a-z-]+)`\]/gm)].map((m) => m[1]!);
    expect(listed.length).toBeGreaterThan(0);
    expect(listed.filter((name) => !names.has(name))).toEqual([]);
  });
});

describe('docs/config.md', () => {
  const doc = readDoc('docs/config.md');
  const schema = ConfigSchema as unknown as SchemaNode;

  it('documents every top-level key of the config schema', () => {
    const missing = Object.keys(schema.properties!).filter((key) => !doc.includes(`\`${key}\``));
    expect(missing).toEqual([]);
  });

  it('documents every key of every section as `section.key`', () => {
    const missing = Object.entries(schema.properties!).flatMap(([section, node]) =>
      Object.keys(node.properties ?? {})
        .map((key) => `${section}.${key}`)
        .filter((field) => !doc.includes(`\`${field}\``)),
    );
    expect(missing).toEqual([]);
  });
});

describe('config.schema.json', () => {
  it('is exactly what "oxidizedvision config-schema" prints', async () => {
    const result = await cli(['config-schema']);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toBe(readDoc('config.schema.json'));
  });
});
