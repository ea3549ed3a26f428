import { homedir } from 'node:os';
import { join, resolve } from 'node:path';

export const REGISTRY_FILENAME = 'registry.db';

/**
 * The folder that holds the registry: `OXV_HOME` when set, else `~/.oxidizedvision`. Never the current
 * directory: the original tool kept its registry in the CWD, so running from elsewhere showed nothing.
 */
export function resolveRegistryHome(env: NodeJS.ProcessEnv = process.env): string {
  const fromEnv = env.OXV_HOME?.trim();
  return fromEnv ? resolve(fromEnv) : join(homedir(), '.oxidizedvision');
}

export function resolveRegistryPath(home: string): string {
  return join(home, REGISTRY_FILENAME);
}
