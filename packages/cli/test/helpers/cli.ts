import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
export const REPO = resolve(here, '../../../..');
export const BIN = join(REPO, 'packages/cli/bin/oxidizedvision.js');
export const FIXTURES = join(REPO, 'packages/tools/test/fixtures/models');

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the real bin in a child process, with its own registry home unless one is given. */
export function cli(
  args: string[],
  options: { home?: string; env?: NodeJS.ProcessEnv; cwd?: string } = {},
): Promise<CliResult> {
  const home = options.home ?? mkdtempSync(join(tmpdir(), 'oxv-home-'));
  return new Promise((resolvePromise) => {
    execFile(
      process.execPath,
      [BIN, ...args],
      {
        cwd: options.cwd ?? REPO,
        env: { ...process.env, OXV_HOME: home, OXV_PYTHON: '', ...options.env },
        maxBuffer: 64 * 1024 * 1024,
      },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
        resolvePromise({ code, stdout, stderr });
      },
    );
  });
}

/** Writes a config YAML into a fresh folder (relative paths in it resolve from there) and returns its path. */
export function writeConfig(yaml: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'oxv-cli-'));
  const file = join(dir, 'config.yml');
  writeFileSync(file, yaml);
  return file;
}

/** A stack trace line, which must never reach users without --verbose. */
export const STACK_LINE = /^\s+at .+:\d+:\d+\)?$/m;
