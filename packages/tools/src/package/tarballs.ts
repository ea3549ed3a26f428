import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { OxvError } from '@oxidizedvision/runtime';

const require = createRequire(import.meta.url);

/** The folder holding `name`'s package.json, found from its resolved entry point (exports hide package.json). */
export function packageDir(name: string): string {
  let entry: string;
  try {
    entry = require.resolve(name);
  } catch {
    entry = require.resolve(`${name}/package.json`);
  }
  for (let dir = dirname(entry); dir !== dirname(dir); dir = dirname(dir)) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest) && (JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string }).name === name)
      return dir;
  }
  throw new OxvError('ERR_FILE_NOT_FOUND', `cannot find the installed package ${name}`);
}

export interface Tarball {
  name: string;
  version: string;
  /** File name inside vendor/. */
  file: string;
}

/**
 * `npm pack`s each package into `dest`: the bundle then installs these exact builds with no registry for
 * them (their third-party dependencies still come from the registry or npm's cache).
 */
export async function packTarballs(names: readonly string[], dest: string): Promise<Tarball[]> {
  const tarballs: Tarball[] = [];
  for (const name of names) {
    const dir = packageDir(name);
    try {
      const { stdout } = await promisify(execFile)(
        'npm',
        ['pack', dir, '--pack-destination', dest, '--json', '--ignore-scripts'],
        {
          env: { ...process.env, npm_config_loglevel: 'error' },
          maxBuffer: 16 * 1024 * 1024,
        },
      );
      const [info] = JSON.parse(stdout) as { name: string; version: string; filename: string }[];
      tarballs.push({ name: info!.name, version: info!.version, file: info!.filename });
    } catch (error) {
      throw new OxvError('ERR_OUTPUT_WRITE', `npm pack ${name} failed: ${(error as Error).message.split('\n')[0]}`, {
        cause: error,
        hint: 'build the workspace first (npx tsc -b packages/cli)',
      });
    }
  }
  return tarballs;
}
