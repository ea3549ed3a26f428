import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO } from './helpers/cli.js';

describe('global install', () => {
  it('installs the oxidizedvision and oxv bins with npm install -g', () => {
    const prefix = mkdtempSync(join(tmpdir(), 'oxv-global-'));
    execFileSync('npm', ['install', '-g', '--prefix', prefix, '--no-audit', '--no-fund', join(REPO, 'packages/cli')], {
      cwd: REPO,
      stdio: 'pipe',
    });
    for (const bin of ['oxidizedvision', 'oxv']) {
      const version = execFileSync(join(prefix, 'bin', bin), ['--version'], { cwd: tmpdir(), encoding: 'utf8' });
      expect(version.trim()).toMatch(/^\d+\.\d+\.\d+$/);
    }
  }, 60_000);
});
