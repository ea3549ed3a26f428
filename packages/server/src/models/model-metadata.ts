import type { TensorInfo } from '@oxidizedvision/runtime';
import type { ModelEntry } from './model-entry.js';
import type { ModelMetadata, ModelStats, ModelVersionStatus } from './types.js';
import { statusOf, type VersionSlot } from './version-slot.js';

/**
 * Metadata of one version, known or not READY: what it was last loaded with (or the configured defaults
 * if it never loaded), its state, and the model's last failed load.
 */
export function metadataOf(entry: ModelEntry, slot: VersionSlot | undefined): ModelMetadata {
  const shape = slot?.last;
  const copy = (infos: readonly TensorInfo[] | undefined): TensorInfo[] =>
    (infos ?? []).map((t) => ({ name: t.name, dtype: t.dtype, shape: [...t.shape] }));
  return {
    name: entry.name,
    versions: entry
      .slots()
      .filter((s) => s.state === 'READY')
      .map((s) => s.version),
    version: slot?.version ?? '',
    platform: 'onnxruntime_onnx',
    inputs: copy(shape?.info.inputs),
    outputs: copy(shape?.info.outputs),
    state: slot?.state ?? 'UNAVAILABLE',
    batching: shape?.batching ?? entry.source.defaults.batching,
    instances: shape?.instances ?? entry.source.defaults.instances,
    card: shape?.card ?? null,
    lastLoadError: entry.lastLoadError,
  };
}

/** The repository index rows of one model; a model with no version folder still shows, with version "". */
export function statusesOf(entry: ModelEntry): ModelVersionStatus[] {
  const slots = entry.slots();
  if (slots.length > 0) return slots.map(statusOf);
  return [
    { name: entry.name, version: '', state: 'UNAVAILABLE', reason: `no model file found in ${entry.source.where}` },
  ];
}

/** Versions worth reporting statistics for: those serving now and those that ever served. */
export function statsOf(entry: ModelEntry, slots: readonly VersionSlot[] = entry.slots()): ModelStats[] {
  return slots.filter((s) => s.state === 'READY' || s.stats.used()).map((s) => s.stats.snapshot(entry.name, s.version));
}
