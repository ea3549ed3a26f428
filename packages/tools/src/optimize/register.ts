import { resolve } from 'node:path';
import type { ModelCard } from '@oxidizedvision/runtime';
import { digestFile } from '../internal/files.js';
import { openRegistry } from '../registry/index.js';
import type { ModelVersion } from '../registry/index.js';

/** The registered version whose ONNX file is `onnx` (same absolute path), newest first; undefined if none. */
export function findRegisteredVersion(onnx: string, registryHome?: string): ModelVersion | undefined {
  const registry = openRegistry({ ...(registryHome ? { home: registryHome } : {}), readonly: true });
  try {
    const path = resolve(onnx);
    for (const model of registry.list()) {
      const versions = registry.get(model.name).versions;
      const match = [...versions].reverse().find((v) => v.files.onnx.path === path);
      if (match) return match;
    }
    return undefined;
  } finally {
    registry.close();
  }
}

/** Adds the optimized file as the next version of the parent's model, recording what was done. */
export async function registerOptimized(
  parent: ModelVersion,
  files: { onnx: string; card: string | null },
  metadata: Record<string, unknown>,
  notes: string,
  registryHome?: string,
): Promise<{ name: string; version: number; parent_version: number }> {
  const registry = openRegistry(registryHome ? { home: registryHome } : {});
  try {
    const onnx = await digestFile(files.onnx);
    const card = files.card ? await digestFile(files.card) : undefined;
    const version = registry.addVersion({
      name: parent.name,
      source: 'optimize',
      parentVersion: parent.version,
      files: {
        onnx: { path: resolve(files.onnx), ...onnx },
        ...(card && files.card ? { card: { path: resolve(files.card), ...card } } : {}),
      },
      metadata: { ...parent.metadata, ...metadata },
      notes,
    });
    return { name: version.name, version: version.version, parent_version: parent.version };
  } finally {
    registry.close();
  }
}

/** The parent's card with the new file's name, hash and size: serve and run read preprocessing from it. */
export function derivedCard(card: ModelCard, file: string, sha256: string, bytes: number): ModelCard {
  return {
    ...card,
    created_at: new Date().toISOString(),
    onnx: { ...card.onnx, file, sha256, bytes, external_data: [] },
  };
}
