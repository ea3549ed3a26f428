import { OxvError } from '@oxidizedvision/runtime';
import type { ModelManager } from '../models/types.js';

/** One row of Triton's repository index, as HTTP and gRPC answer it. */
export interface RepositoryIndexEntry {
  name: string;
  version: string;
  state: string;
  reason: string;
}

export function repositoryIndex(manager: ModelManager, readyOnly: boolean): RepositoryIndexEntry[] {
  return manager
    .list()
    .filter((s) => !readyOnly || s.state === 'READY')
    .map((s) => ({ name: s.name, version: s.version, state: s.state, reason: s.reason ?? '' }));
}

/** Triton can take a config override and model files in a load request; this server loads only from its source. */
export function checkLoadParameters(names: string[]): void {
  const unsupported = names.filter((k) => k === 'config' || k.startsWith('file:'));
  if (unsupported.length > 0) {
    throw new OxvError(
      'ERR_BAD_REQUEST',
      `loading with ${unsupported.join(', ')} in the request is not supported; put the files in the model repository`,
    );
  }
}
