import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { openRegistry } from '../src/registry/index.js';

const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
const registrySrc = fileURLToPath(new URL('../src/registry/', import.meta.url));
const registryDist = fileURLToPath(new URL('../dist/registry/index.js', import.meta.url));
const writer = fileURLToPath(new URL('./helpers/registry-writer.mjs', import.meta.url));

const WRITERS = 4;
const VERSIONS_EACH = 10;

function newestSource(dir: string): number {
  return Math.max(
    ...readdirSync(dir, { recursive: true, encoding: 'utf8' })
      .filter((file) => file.endsWith('.ts'))
      .map((file) => statSync(join(dir, file)).mtimeMs),
  );
}

function isBuilt(): boolean {
  return existsSync(registryDist) && statSync(registryDist).mtimeMs >= newestSource(registrySrc);
}

/**
 * The child processes run the compiled module: rebuild it when the sources are newer. `tsc -b` trusts its
 * .tsbuildinfo and skips a project whose dist was deleted, so fall back to `tsc -b --force`. Type errors
 * elsewhere in the package still emit; only a missing or stale output fails the test.
 */
function ensureBuilt(): void {
  const tsc = join(repoRoot, 'node_modules/typescript/bin/tsc');
  let output = '';
  for (const args of [
    ['-b', 'packages/tools'],
    ['-b', '--force', 'packages/tools'],
  ]) {
    if (isBuilt()) return;
    try {
      execFileSync(process.execPath, [tsc, ...args], { cwd: repoRoot, stdio: 'pipe' });
    } catch (error) {
      output += String((error as { stdout?: Buffer }).stdout ?? error);
    }
  }
  if (!isBuilt()) throw new Error(`Could not build ${registryDist} (run npx tsc -b packages/tools):\n${output}`);
}

function runWriter(home: string, startAt: number, index: number): Promise<number[]> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [writer, home, 'unet', String(VERSIONS_EACH), String(startAt), String(index)],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code === 0) resolve(JSON.parse(stdout) as number[]);
      else reject(new Error(`writer ${index} exited ${code}: ${stderr}`));
    });
  });
}

let root: string | undefined;
beforeAll(() => {
  ensureBuilt();
  root = mkdtempSync(join(tmpdir(), 'oxv-registry-concurrency-'));
}, 120_000);
afterAll(() => {
  if (root !== undefined) rmSync(root, { recursive: true, force: true });
});

it(`gives ${WRITERS} processes adding ${VERSIONS_EACH} versions each at once versions 1..${WRITERS * VERSIONS_EACH}, each exactly once`, async () => {
  // The database does not exist yet: the writers also race to create it and run the migration.
  const home = join(root ?? tmpdir(), 'home');
  const startAt = Date.now() + 1500;
  const results = await Promise.all(Array.from({ length: WRITERS }, (_, index) => runWriter(home, startAt, index)));

  const expected = Array.from({ length: WRITERS * VERSIONS_EACH }, (_, i) => i + 1);
  for (const versions of results) {
    expect(versions).toHaveLength(VERSIONS_EACH);
    // Each writer sees its own versions in increasing order.
    expect([...versions].sort((a, b) => a - b)).toEqual(versions);
  }
  expect(results.flat().sort((a, b) => a - b)).toEqual(expected);

  const registry = openRegistry({ home, readonly: true });
  try {
    const details = registry.get('unet');
    expect(details.versions.map((v) => v.version)).toEqual(expected);
    expect(details.versionCount).toBe(WRITERS * VERSIONS_EACH);
    const byWriter = details.versions.map((v) => v.metadata.writer);
    for (let w = 0; w < WRITERS; w++) expect(byWriter.filter((x) => x === w)).toHaveLength(VERSIONS_EACH);
  } finally {
    registry.close();
  }
}, 60_000);
