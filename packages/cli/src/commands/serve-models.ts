// Resolving `--model` values (files or registry names) and the `--ui` folder for `serve`.
import { basename, dirname, extname, join } from 'node:path';
import { createRequire } from 'node:module';
import { existsSync } from 'node:fs';
import { OxvError } from '@oxidizedvision/runtime';

/** A `--model` value: `name=path.onnx`, a path (named after its file), or a registry `name[:version]`. */
export async function resolveModel(value: string): Promise<{ name: string; path: string }> {
  const eq = value.indexOf('=');
  const given = eq === -1 ? undefined : value.slice(0, eq);
  const target = eq === -1 ? value : value.slice(eq + 1);
  if (given === '' || target === '')
    throw new OxvError('ERR_USAGE', `--model "${value}": expected name=path.onnx, a path or a registry name`);
  const looksLikePath = target.endsWith('.onnx') || target.includes('/') || target.includes('\\') || existsSync(target);
  if (looksLikePath) {
    if (!existsSync(target))
      throw new OxvError('ERR_FILE_NOT_FOUND', `model file not found: ${target}`, { details: { file: target } });
    return { name: given ?? basename(target, extname(target)), path: target };
  }
  const { openRegistry, parseModelRef } = await import('@oxidizedvision/tools');
  const ref = parseModelRef(target);
  const registry = openRegistry({ readonly: true });
  try {
    return { name: given ?? ref.name, path: registry.getVersion(ref.name, ref.version).files.onnx.path };
  } finally {
    registry.close();
  }
}

export async function resolveModels(values: string[]): Promise<{ name: string; path: string }[]> {
  const models: { name: string; path: string }[] = [];
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
