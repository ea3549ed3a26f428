import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

/** Every module specifier reachable from a built entry through relative imports. */
function reachableImports(entry: string): Set<string> {
  const seen = new Set<string>();
  const specifiers = new Set<string>();
  const visit = (file: string) => {
    if (seen.has(file)) return;
    seen.add(file);
    for (const m of readFileSync(file, 'utf8').matchAll(
      /(?:import|export)[^'"]*?from\s*['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g,
    )) {
      const spec = m[1] ?? m[2]!;
      if (spec.startsWith('.')) visit(resolve(dirname(file), spec));
      else specifiers.add(spec);
    }
  };
  visit(entry);
  return specifiers;
}

describe('@oxidizedvision/onnx root entry', () => {
  it('imports nothing Node-only, so it bundles for the browser', () => {
    const entry = fileURLToPath(new URL('../dist/index.js', import.meta.url));
    const imports = [...reachableImports(entry)];
    expect(imports.filter((s) => s.startsWith('node:') || s.startsWith('onnxruntime'))).toEqual([]);
    expect(imports).toContain('@bufbuild/protobuf');
  });
});
