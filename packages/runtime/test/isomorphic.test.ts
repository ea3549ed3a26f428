import { readFile } from 'node:fs/promises';
import { builtinModules } from 'node:module';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const dist = fileURLToPath(new URL('../dist/', import.meta.url));
const STATIC_IMPORT =
  /(?:^|[\s;])(?:import|export)\s[^'"]*?from\s*['"]([^'"]+)['"]|(?:^|[\s;])import\s*['"]([^'"]+)['"]/g;
const LITERAL_DYNAMIC_IMPORT = /import\(\s*['"]([^'"]+)['"]\s*\)/g;

/** Every bare specifier reachable from `entry` through relative imports (static and literal dynamic). */
async function reachableSpecifiers(entry: string): Promise<Set<string>> {
  const seen = new Set<string>();
  const external = new Set<string>();
  const queue = [resolve(dist, entry)];
  while (queue.length > 0) {
    const file = queue.pop()!;
    if (seen.has(file)) continue;
    seen.add(file);
    const source = await readFile(file, 'utf8');
    for (const match of [...source.matchAll(STATIC_IMPORT), ...source.matchAll(LITERAL_DYNAMIC_IMPORT)]) {
      const specifier = (match[1] ?? match[2])!;
      if (specifier.startsWith('.')) queue.push(resolve(dirname(file), specifier));
      else external.add(specifier);
    }
  }
  return external;
}

const isNodeBuiltin = (specifier: string) =>
  specifier.startsWith('node:') || builtinModules.includes(specifier.split('/')[0]!);

describe('isomorphic entry points (built output)', () => {
  it('the root entry imports no Node built-in and no runtime package', async () => {
    expect([...(await reachableSpecifiers('index.js'))]).toEqual([]);
  });

  it('the web entry imports only onnxruntime-web, and node:fs only through a computed dynamic import', async () => {
    const specifiers = [...(await reachableSpecifiers('web/index.js'))];
    expect(specifiers).toEqual(['onnxruntime-web']);
    expect(specifiers.some(isNodeBuiltin)).toBe(false);
  });
});
