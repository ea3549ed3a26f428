import { OxvError } from '@oxidizedvision/runtime';
import type { ServerContext } from '../context.js';

/** The model `/predict` runs without a name: the configured default, else the only model served. */
export function defaultModelName(ctx: ServerContext): string | null {
  if (ctx.options.defaultModel !== null) return ctx.options.defaultModel;
  const names = [...new Set(ctx.manager.list().map((s) => s.name))];
  return names.length === 1 ? names[0]! : null;
}

export function defaultModel(ctx: ServerContext): string {
  const name = defaultModelName(ctx);
  if (name !== null) return name;
  const names = [...new Set(ctx.manager.list().map((s) => s.name))];
  if (names.length === 0) throw new OxvError('ERR_MODEL_NOT_FOUND', 'no model is being served');
  throw new OxvError('ERR_BAD_REQUEST', `several models are served (${names.join(', ')}); use POST /predict/{model}`);
}
