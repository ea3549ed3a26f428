import { execFile } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { packageModels } from '@oxidizedvision/tools';
import { CONFIG, REPO, SAMPLES, ensureExampleConverted } from './helpers/example-denoiser.js';

const exec = promisify(execFile);
const BIN = join(REPO, 'packages/cli/bin/oxidizedvision.js');
const IMAGES = ['coffee-noisy.png', 'astronaut-256-noisy.png'];
const tmp = (p: string): string => mkdtempSync(join(tmpdir(), `oxv-pkg-cli-${p}-`));

/**
 * `unshare -n` runs a command in a network namespace with no interface at all, where the kernel allows it
 * (root, or unprivileged user namespaces): then the install below provably uses no network. Elsewhere
 * `npm install --offline` alone keeps npm off the registry, but not install scripts.
 */
async function noNetworkPrefix(): Promise<string[]> {
  try {
    await exec('unshare', ['-n', 'true']);
    return ['unshare', '-n'];
  } catch {
    return [];
  }
}

beforeAll(ensureExampleConverted, 120_000);

describe('package --template cli', () => {
  it("installs with no network from its tarballs and npm's cache, and writes the PNGs oxidizedvision run writes", async () => {
    const out = join(tmp('bundle'), 'denoiser');
    // memoryBytes given: the cli template writes no manifests, so the measurement would go unused.
    const result = await packageModels([CONFIG], { out, template: 'cli', memoryBytes: 1 });
    expect(result.files).toEqual(
      expect.arrayContaining([
        'package.json',
        'package-lock.json',
        'run.mjs',
        'models/unet-denoiser/1/model.onnx',
        'models/unet-denoiser/1/model.card.json',
      ]),
    );

    // Installed somewhere else: our packages from vendor/, third-party ones from npm's cache, pinned by
    // the lockfile. better-sqlite3 (a tools dependency) has no prebuilt binary without network, so npm
    // compiles it here: this takes a minute.
    const installRoot = tmp('install');
    const install = join(installRoot, 'app');
    try {
      cpSync(out, install, { recursive: true });
      const npm = ['npm', 'install', '--offline', '--no-audit', '--no-fund'];
      const [command, ...args] = [...(await noNetworkPrefix()), ...npm];
      await exec(command!, args, { cwd: install, maxBuffer: 64 * 1024 * 1024 });

      const inputs = IMAGES.map((f) => join(SAMPLES, f));
      const [fromBundle, fromCli] = [tmp('bundle-out'), tmp('cli-out')];
      const bundled = await exec(process.execPath, ['run.mjs', ...inputs, '-o', fromBundle, '--json'], {
        cwd: install,
      });
      expect(JSON.parse(bundled.stdout)).toMatchObject({ total: 2, succeeded: 2, failed: 0 });
      await exec(process.execPath, [BIN, 'run', CONFIG, ...inputs, '-o', fromCli, '--json'], { cwd: REPO });
      for (const name of IMAGES) {
        expect(readFileSync(join(fromBundle, name)).equals(readFileSync(join(fromCli, name))), name).toBe(true);
      }
    } finally {
      rmSync(installRoot, { recursive: true, force: true }); // about 500 MB of node_modules
    }
  }, 600_000);
});
