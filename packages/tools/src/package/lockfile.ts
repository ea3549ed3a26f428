import { existsSync, readFileSync, realpathSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Tarball } from './tarballs.js';

type LockEntry = Record<string, unknown> & {
  version?: string;
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  link?: boolean;
  resolved?: string;
};
type Lock = { packages: Record<string, LockEntry> };

/** The monorepo lockfile our packages were installed from, if they were (a global install has none). */
export function findWorkspaceLock(fromPackageDir: string): { dir: string; lock: Lock } | null {
  for (let dir = realpathSync(fromPackageDir); dir !== dirname(dir); dir = dirname(dir)) {
    const path = join(dir, 'package-lock.json');
    if (!existsSync(path)) continue;
    const lock = JSON.parse(readFileSync(path, 'utf8')) as Lock;
    if (lock.packages?.['']?.['workspaces']) return { dir, lock };
  }
  return null;
}

/** Node's lookup: `<from>/node_modules/<name>`, then each ancestor's node_modules, then the top. */
function locate(lock: Lock, from: string, name: string): string | null {
  for (let base = from; ;) {
    const key = base ? `${base}/node_modules/${name}` : `node_modules/${name}`;
    if (lock.packages[key]) return key;
    if (!base) return null;
    const cut = base.lastIndexOf('/node_modules/');
    base = cut === -1 ? '' : base.slice(0, cut);
  }
}

/**
 * A package-lock.json for the bundle that pins every third-party dependency to the exact version the
 * workspace installed (and so npm's cache holds): without it `npm install --offline` resolves ranges
 * such as protobufjs's "@types/node >=13" to the newest version, which the cache does not have.
 */
export function bundleLockfile(
  name: string,
  rootDependencies: Record<string, string>,
  tarballs: Tarball[],
  workspace: { lock: Lock },
  workspaceDirs: Record<string, string>,
): string {
  const { lock } = workspace;
  const out: Record<string, LockEntry> = { '': { name, version: '1.0.0', dependencies: rootDependencies } };
  const queue: { key: string; bundleKey: string }[] = [];
  const visit = (from: string, fromBundle: string, deps: Record<string, string>) => {
    for (const dep of Object.keys(deps)) {
      const tarball = tarballs.find((t) => t.name === dep);
      if (tarball) continue; // our own packages: placed at the top below
      const key = locate(lock, from, dep);
      if (!key) continue; // an optional dependency for another platform, never installed
      // Hoisted entries stay hoisted; one nested under a workspace folder nests under that package here.
      const bundleKey = key.startsWith('node_modules/')
        ? key
        : `${fromBundle}/${key.slice(key.indexOf('node_modules/'))}`;
      if (out[bundleKey]) continue;
      const entry: LockEntry = { ...lock.packages[key]! };
      delete entry['dev'];
      delete entry['devOptional'];
      out[bundleKey] = entry;
      queue.push({ key, bundleKey });
    }
  };
  for (const t of tarballs) {
    const manifest = JSON.parse(readFileSync(join(workspaceDirs[t.name]!, 'package.json'), 'utf8')) as LockEntry;
    const bundleKey = `node_modules/${t.name}`;
    out[bundleKey] = {
      version: t.version,
      resolved: `file:vendor/${t.file}`,
      dependencies: manifest.dependencies ?? {},
    };
    const wsKey =
      Object.keys(lock.packages).find(
        (k) => k && !k.startsWith('node_modules/') && lock.packages[k]!['name'] === t.name,
      ) ?? '';
    visit(wsKey, bundleKey, manifest.dependencies ?? {});
  }
  while (queue.length) {
    const { key, bundleKey } = queue.shift()!;
    const entry = lock.packages[key]!;
    visit(key, bundleKey, { ...entry.dependencies, ...entry.optionalDependencies, ...entry.peerDependencies });
  }
  return `${JSON.stringify({ name, version: '1.0.0', lockfileVersion: 3, requires: true, packages: out }, null, 2)}\n`;
}
