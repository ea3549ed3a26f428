import type { VersionPolicy } from './options.js';

/** The versions a policy keeps loaded, from the candidates given (highest first for `latest`). */
export function selectVersions<T extends { version: string }>(policy: VersionPolicy, candidates: readonly T[]): T[] {
  const sorted = [...candidates].sort((a, b) => compareVersions(b.version, a.version));
  return policy === 'all' ? sorted : sorted.slice(0, policy.latest);
}

/** Numeric order for Triton's integer version folders ("10" after "9"). */
export function compareVersions(a: string, b: string): number {
  return Number(a) - Number(b) || a.localeCompare(b);
}

export function describePolicy(policy: VersionPolicy): string {
  return policy === 'all' ? 'all versions' : `the latest ${policy.latest}`;
}
