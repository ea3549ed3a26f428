import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { LineCounter, parseDocument } from 'yaml';
import { OxvError } from '@oxidizedvision/runtime';
import { createValidator } from '@oxidizedvision/runtime/schema';
import { ConfigSchema, type RawConfig } from './schema.js';
import { configError, type ConfigSource } from './config-error.js';
import { resolveConfig } from './resolve.js';
import type { ResolvedConfig } from './types.js';

// The parsed YAML is ours to fill: defaults are written into it while it is checked.
const validateSchema = createValidator(ConfigSchema, { useDefaults: true });

function readConfigText(file: string): string {
  if (!existsSync(file)) {
    throw new OxvError('ERR_CONFIG_NOT_FOUND', `Config file not found: ${file}`, {
      hint: 'Pass the path of a YAML config, e.g. examples/unet-denoiser/config.yml',
    });
  }
  if (statSync(file).isDirectory()) {
    throw new OxvError('ERR_CONFIG_NOT_FOUND', `Config path is a directory, not a file: ${file}`);
  }
  const text = readFileSync(file, 'utf8');
  if (text.trim() === '') throw new OxvError('ERR_CONFIG_PARSE', `Config file is empty: ${file}`);
  return text;
}

function parseYaml(file: string, text: string): ConfigSource {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: true, uniqueKeys: true });
  const first = doc.errors[0];
  if (first) {
    const pos = first.linePos?.[0];
    const where = pos ? `${file}:${pos.line}:${pos.col}` : file;
    const reason = (first.message.split('\n')[0] ?? '').replace(/ at line \d+, column \d+:?$/, '');
    throw new OxvError('ERR_CONFIG_PARSE', `${where}: YAML syntax error: ${reason}`, { cause: first });
  }
  return { file, doc, lines };
}

/** Reads, validates and resolves a config file. Every error names the file, the field and the line. */
export function loadConfig(path: string): ResolvedConfig {
  const file = resolve(path);
  const source = parseYaml(file, readConfigText(file));
  const data: unknown = source.doc.toJS();
  if (data === null || typeof data !== 'object' || Array.isArray(data)) {
    const got = data === null ? 'nothing' : Array.isArray(data) ? 'a list' : `a ${typeof data}`;
    throw new OxvError(
      'ERR_CONFIG_PARSE',
      `${file}: the top level must be a mapping with a "model:" section, got ${got}`,
    );
  }
  const raw = data as Record<string, unknown>;
  // Sections with defaults are materialised so that Ajv fills their defaults in too.
  for (const section of ['export', 'validation', 'optimize', 'benchmark', 'preprocess']) raw[section] ??= {};
  const issues = validateSchema(raw);
  if (issues.length > 0) throw configError(source, issues);
  return resolveConfig(source, raw as RawConfig, dirname(file));
}
