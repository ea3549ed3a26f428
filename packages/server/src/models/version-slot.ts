import type { ModelCard, RunnerInfo } from '@oxidizedvision/runtime';
import type { Emitter } from './events.js';
import type { Generation } from './generation.js';
import { createStatsRecorder, type StatsRecorder } from './stats.js';
import type { BatchingConfig, InstanceConfig, ModelState, ModelVersionStatus } from './types.js';

/** What a version looked like when last loaded, so metadata still answers after it is unloaded. */
export interface VersionShape {
  info: RunnerInfo;
  card: ModelCard | null;
  batching: BatchingConfig;
  instances: InstanceConfig;
}

/**
 * One version of a model as the manager tracks it across reloads: its state, the generation serving it,
 * the stamps that decide whether its files changed, and its statistics (which outlive generations).
 */
export interface VersionSlot {
  readonly name: string;
  readonly version: string;
  state: ModelState;
  reason: string | undefined;
  gen: Generation | undefined;
  /** Stamp of the files the serving generation was loaded from. */
  loadedStamp: string | undefined;
  /** Stamp seen by the previous scan (poll mode waits until it stops changing). */
  seenStamp: string | undefined;
  /** Stamp and content hash of the last failed load: not retried until the files change again. */
  failedStamp: string | undefined;
  failedSha: string | undefined;
  last: VersionShape | undefined;
  readonly stats: StatsRecorder;
}

export function createVersionSlot(name: string, version: string): VersionSlot {
  return {
    name,
    version,
    state: 'UNAVAILABLE',
    reason: 'not loaded',
    gen: undefined,
    loadedStamp: undefined,
    seenStamp: undefined,
    failedStamp: undefined,
    failedSha: undefined,
    last: undefined,
    stats: createStatsRecorder(),
  };
}

/** Changes state and emits a `state` event when state or reason actually changed. */
export function setState(slot: VersionSlot, state: ModelState, reason: string | undefined, events: Emitter): void {
  if (slot.state === state && slot.reason === reason) return;
  slot.state = state;
  slot.reason = reason;
  events.emit('state', statusOf(slot));
}

export function statusOf(slot: VersionSlot): ModelVersionStatus {
  const status: ModelVersionStatus = { name: slot.name, version: slot.version, state: slot.state };
  if (slot.reason !== undefined) status.reason = slot.reason;
  return status;
}
