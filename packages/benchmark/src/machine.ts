import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { cpus, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import type { MachineInfo } from './types.js';

/**
 * The version of a package as the runtime resolves it (the runtime, not tools, depends on onnxruntime).
 * onnxruntime-web does not export its package.json, so walk up from its entry point to find it.
 */
function runtimeDependencyVersion(name: string): string | null {
  try {
    const require = createRequire(import.meta.resolve('@oxidizedvision/runtime/node'));
    let dir = dirname(require.resolve(name));
    while (dir !== dirname(dir)) {
      const file = join(dir, 'package.json');
      if (existsSync(file)) {
        const pkg = JSON.parse(readFileSync(file, 'utf8')) as { name?: string; version?: string };
        if (pkg.name === name) return pkg.version ?? null;
      }
      dir = dirname(dir);
    }
  } catch {
    // not installed: reported as null
  }
  return null;
}

export function machineInfo(
  python: { torch: string | null; python: string | null },
  loadAverage: number[],
): MachineInfo {
  const cores = cpus();
  return {
    cpu_model: cores[0]?.model.trim() ?? 'unknown',
    cores: cores.length,
    memory_gb: Math.round((totalmem() / 1024 ** 3) * 10) / 10,
    platform: process.platform,
    arch: process.arch,
    node: process.version,
    onnxruntime: {
      node: runtimeDependencyVersion('onnxruntime-node'),
      web: runtimeDependencyVersion('onnxruntime-web'),
    },
    torch: python.torch,
    python: python.python,
    load_average: loadAverage.map((x) => Math.round(x * 100) / 100),
  };
}
