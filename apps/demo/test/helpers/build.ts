import { execFileSync } from 'node:child_process';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'vite';

export const APP_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const REPO = resolve(APP_DIR, '../..');
export const EXAMPLE_OUT = join(REPO, 'examples/unet-denoiser/out');
export const SAMPLES = join(REPO, 'examples/unet-denoiser/samples');

/**
 * Builds the page from the current sources (~1 s), so the tests never run a stale build. Each test file
 * builds into its own folder under out/: vitest runs files in parallel, and vite empties outDir first.
 */
export async function buildDemo(name: string): Promise<string> {
  execFileSync(process.execPath, [join(APP_DIR, 'scripts/prepare-assets.mjs')], { stdio: 'inherit' });
  const outDir = join(APP_DIR, 'out/test-dist', name);
  await build({
    root: APP_DIR,
    configFile: join(APP_DIR, 'vite.config.ts'),
    logLevel: 'warn',
    build: { outDir, emptyOutDir: true },
  });
  return outDir;
}
