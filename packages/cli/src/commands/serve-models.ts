// Resolving `--model` values (files or registry names) and the `--ui` folder for `serve`.
import { basename, dirname, extname, join } from 'node:path';
import { createRequire } from 'node:module';
import { existsSync } from 'node:fs';
import { OxvError } from '@oxidizedvision/runtime';

/** What `serve` serves for one `--model`: the version is the registry's, when the file is registered. */
export interface ServedModel {
  name: string;
  path: string;
  version?: string;
}

/**
 * The registry's version of a model file, so that a server given `out/model.onnx` answers with the
 * version `convert` registered it as. A registry that cannot be read (none yet, locked, newer schema)
 * leaves the file unversioned: serving a file never depends on the registry.
 */
async function registeredVersion(path: string): Promise<string | undefined> {
  const { findVersionOfFile, openRegistry } = await import('@oxidizedvision/tools');
  try {
    const registry = openRegistry({ readonly: true });
    try {
      const found = await findVersionOfFile(registry, path);
      return found === null ? undefined : String(found.version);
    } finally {
      registry.close();
    }
  } catch {
    return undefined;
  }
}

/** A `--model` value: `name=path.onnx`, a path (named after its file), or a registry `name[:version]`. */
export async function resolveModel(value: string): Promise<ServedModel> {
  const eq = value.indexOf('=');
  const given = eq === -1 ? undefined : value.slice(0, eq);
  const target = eq === -1 ? value : value.slice(eq + 1);
  if (given === '' || target === '')
    throw new OxvError('ERR_USAGE', `--model "${value}": expected name=path.onnx, a path or a registry name`);
  const looksLikePath = target.endsWith('.onnx') || target.includes('/') || target.includes('\\') || existsSync(target);
  if (looksLikePath) {
    if (!existsSync(target))
      throw new OxvError('ERR_FILE_NOT_FOUND', `model file not found: ${target}`, { details: { file: target } });
    const version = await registeredVersion(target);
    return { name: given ?? basename(target, extname(target)), path: target, ...(version ? { version } : {}) };
  }
  const { openRegistry, parseModelRef } = await import('@oxidizedvision/tools');
  const ref = parseModelRef(target);
  const registry = openRegistry({ readonly: true });
  try {
    const found = registry.getVersion(ref.name, ref.version);
    return { name: given ?? ref.name, path: found.files.onnx.path, version: String(found.version) };
  } finally {
    registry.close();
  }
}

export async function resolveModels(values: string[]): Promise<ServedModel[]> {
  const models: ServedModel[] = [];
  for (const value of values) {
    const model = await resolveModel(value);
    if (models.some((m) => m.name === model.name)) {
      throw new OxvError('ERR_USAGE', `two --model flags are named "${model.name}"; name one with name=path`);
    }
    models.push(model);
  }
  return models;
}

/**
 * The folder `--ui` serves: the one given, else the built demo page of the installed @oxidizedvision/demo
 * workspace. Checked here so a missing build is one clear line at startup, not 404s in the browser.
 */
export function resolveUiDir(ui: string | boolean | undefined): string | undefined {
  if (ui === undefined || ui === false) return undefined;
  let dir: string;
  if (typeof ui === 'string') dir = ui;
  else {
    try {
      dir = join(dirname(createRequire(import.meta.url).resolve('@oxidizedvision/demo/package.json')), 'dist');
    } catch {
      throw new OxvError('ERR_FILE_NOT_FOUND', '--ui: the demo page (@oxidizedvision/demo) is not installed', {
        hint: 'give the built page folder: --ui path/to/dist',
      });
    }
  }
  if (!existsSync(join(dir, 'index.html')))
    throw new OxvError('ERR_FILE_NOT_FOUND', `--ui: no built page at ${dir} (index.html missing)`, {
      hint: 'build it with: npm run build -w @oxidizedvision/demo',
      details: { file: dir },
    });
  return dir;
}
