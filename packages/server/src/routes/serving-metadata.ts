import { OxvError } from '@oxidizedvision/runtime';
import type { ModelManager, ModelMetadata } from '../models/types.js';

/**
 * Metadata of the version that would serve a request, which must be READY: an unloaded or loading model
 * is a 503 to retry, not a 400 about input names it happens to report as empty meanwhile.
 */
export function servingMetadata(manager: ModelManager, model: string, version: string | undefined): ModelMetadata {
  const meta = manager.metadata(model, version);
  if (meta.state !== 'READY') {
    const reason = manager.list().find((s) => s.name === meta.name && s.version === meta.version)?.reason;
    throw new OxvError(
      'ERR_MODEL_NOT_READY',
      `model "${model}" version ${meta.version} is ${meta.state}${reason ? `: ${reason}` : ''}`,
    );
  }
  return meta;
}
