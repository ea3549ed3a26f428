import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { OxvError } from '@oxidizedvision/runtime';
import {
  openRegistry,
  parseModelRef,
  resolveRegistryHome,
  SCHEMA_VERSION,
  type NewVersion,
  type Registry,
} from '../src/registry/index.js';

const SHA_A = 'a'.repeat(64);
const SHA_B = 'B'.repeat(64);

const cleanups: (() => void)[] = [];
afterEach(() => {
  vi.useRealTimers();
  for (const cleanup of cleanups.splice(0).reverse()) cleanup();
});

/** A fresh OXV_HOME that does not exist yet, inside a temp folder removed after the test. */
function tempHome(): string {
  const root = mkdtempSync(join(tmpdir(), 'oxv-registry-'));
  cleanups.push(() => rmSync(root, { recursive: true, force: true }));
  return join(root, 'home');
}

function open(home = tempHome(), readonly = false): Registry {
  const registry = openRegistry({ home, readonly });
  cleanups.push(() => registry.close());
  return registry;
}

function newVersion(name = 'unet', extra: Partial<NewVersion> = {}): NewVersion {
  return {
    name,
    source: 'convert',
    files: { onnx: { path: `/models/${name}.onnx`, sha256: SHA_A, bytes: 1234 } },
    ...extra,
  };
}

function catchError(work: () => unknown): OxvError {
  try {
    work();
  } catch (error) {
    expect(error).toBeInstanceOf(OxvError);
    return error as OxvError;
  }
  throw new Error('expected an OxvError');
}

describe('resolveRegistryHome', () => {
  it('uses OXV_HOME when set, else ~/.oxidizedvision', () => {
    expect(resolveRegistryHome({ OXV_HOME: '/srv/oxv' })).toBe('/srv/oxv');
    expect(resolveRegistryHome({})).toBe(join(homedir(), '.oxidizedvision'));
  });

  it('puts registry.db inside the home', () => {
    const home = tempHome();
    expect(open(home).dbPath).toBe(join(home, 'registry.db'));
  });
});

describe('addVersion', () => {
  it('numbers versions 1, 2, 3 and keeps each version’s created_at', () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const registry = open();
    vi.setSystemTime(new Date('2026-01-01T10:00:00Z'));
    const first = registry.addVersion(newVersion());
    vi.setSystemTime(new Date('2026-01-02T10:00:00Z'));
    const second = registry.addVersion(newVersion());
    vi.setSystemTime(new Date('2026-01-03T10:00:00Z'));
    const third = registry.addVersion(newVersion());

    expect([first.version, second.version, third.version]).toEqual([1, 2, 3]);
    expect(registry.getVersion('unet', 1).createdAt).toBe('2026-01-01T10:00:00.000Z');
    expect(registry.getVersion('unet', 2).createdAt).toBe('2026-01-02T10:00:00.000Z');
  });

  it('keeps the model’s first created_at and moves updated_at', () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const registry = open();
    vi.setSystemTime(new Date('2026-01-01T10:00:00Z'));
    registry.addVersion(newVersion());
    vi.setSystemTime(new Date('2026-02-01T10:00:00Z'));
    registry.addVersion(newVersion());

    const details = registry.get('unet');
    expect(details.createdAt).toBe('2026-01-01T10:00:00.000Z');
    expect(details.updatedAt).toBe('2026-02-01T10:00:00.000Z');
    expect(details.latestVersion).toBe(2);
    expect(details.versionCount).toBe(2);
  });

  it('stores absolute file paths, hashes, sizes, metadata, parent and notes as given', () => {
    const registry = open();
    registry.addVersion(newVersion());
    const added = registry.addVersion({
      name: 'unet',
      source: 'optimize',
      files: {
        onnx: { path: 'out/unet.int8.onnx', sha256: SHA_B, bytes: 10 },
        torchscript: { path: '/m/unet.pt', sha256: SHA_A, bytes: 20 },
        card: { path: '/m/unet.card.json', sha256: SHA_A, bytes: 30 },
      },
      metadata: { task: 'denoise', input: { shape: [1, 3, 256, 256] } },
      parentVersion: 1,
      notes: 'int8 QDQ',
    });

    expect(added).toEqual(registry.getVersion('unet', 2));
    expect(added).toMatchObject({
      name: 'unet',
      version: 2,
      source: 'optimize',
      metadata: { task: 'denoise', input: { shape: [1, 3, 256, 256] } },
      parentVersion: 1,
      notes: 'int8 QDQ',
    });
    expect(added.files.onnx).toEqual({
      path: join(process.cwd(), 'out/unet.int8.onnx'),
      sha256: SHA_B.toLowerCase(),
      bytes: 10,
    });
    expect(added.files.torchscript).toEqual({ path: '/m/unet.pt', sha256: SHA_A, bytes: 20 });
    expect(added.files.card?.bytes).toBe(30);
    expect(added.createdAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
  });

  it('defaults metadata to {} and parent/notes to null, and omits absent files', () => {
    const version = open().addVersion(newVersion());
    expect(version.metadata).toEqual({});
    expect(version.parentVersion).toBeNull();
    expect(version.notes).toBeNull();
    expect(Object.keys(version.files)).toEqual(['onnx']);
  });

  it('rejects a parent version that does not exist', () => {
    const registry = open();
    registry.addVersion(newVersion());
    const error = catchError(() => registry.addVersion(newVersion('unet', { parentVersion: 5 })));
    expect(error.code).toBe('ERR_MODEL_NOT_FOUND');
    expect(registry.get('unet').versionCount).toBe(1);
  });

  it.each(['', '-leading-dash', 'has space', 'slash/name', 'x'.repeat(129), 'colon:3'])(
    'rejects the model name %j with ERR_USAGE',
    (name) => {
      const error = catchError(() => open().addVersion(newVersion(name)));
      expect(error.code).toBe('ERR_USAGE');
    },
  );

  it('accepts names of letters, digits, dot, underscore and dash up to 128 characters', () => {
    const registry = open();
    for (const name of ['a', 'UNet_v2.1-fp16', '9lives', 'x'.repeat(128)]) registry.addVersion(newVersion(name));
    expect(registry.list()).toHaveLength(4);
  });

  it('rejects malformed files and metadata with TypeError/RangeError naming the field', () => {
    const registry = open();
    const bad = (files: unknown, metadata?: unknown) => () =>
      registry.addVersion({ name: 'unet', source: 'convert', files, metadata } as unknown as NewVersion);
    expect(bad({})).toThrow(/files\.onnx/);
    expect(bad({ onnx: { path: '/m.onnx', sha256: 'xyz', bytes: 1 } })).toThrow(TypeError);
    expect(bad({ onnx: { path: '/m.onnx', sha256: SHA_A, bytes: -1 } })).toThrow(RangeError);
    expect(bad({ onnx: { path: '/m.onnx', sha256: SHA_A, bytes: 1 } }, [1, 2])).toThrow(/metadata/);
    expect(registry.list()).toEqual([]);
  });
});

describe('list, get and getVersion', () => {
  it('lists models by name with their latest version and count', () => {
    const registry = open();
    registry.addVersion(newVersion('yolo'));
    registry.addVersion(newVersion('unet'));
    registry.addVersion(newVersion('unet'));

    const models = registry.list();
    expect(models.map(({ name, latestVersion, versionCount }) => ({ name, latestVersion, versionCount }))).toEqual([
      { name: 'unet', latestVersion: 2, versionCount: 2 },
      { name: 'yolo', latestVersion: 1, versionCount: 1 },
    ]);
  });

  it('returns every version oldest first from get', () => {
    const registry = open();
    for (let i = 0; i < 3; i++) registry.addVersion(newVersion('unet', { notes: `n${i}` }));
    expect(registry.get('unet').versions.map((v) => [v.version, v.notes])).toEqual([
      [1, 'n0'],
      [2, 'n1'],
      [3, 'n2'],
    ]);
  });

  it('returns the latest version when none is given', () => {
    const registry = open();
    registry.addVersion(newVersion());
    registry.addVersion(newVersion('unet', { source: 'optimize' }));
    expect(registry.getVersion('unet')).toMatchObject({ version: 2, source: 'optimize' });
    expect(registry.getVersion('unet', 1)).toMatchObject({ version: 1, source: 'convert' });
  });

  it('is shared between registries opened on the same home', () => {
    const home = tempHome();
    open(home).addVersion(newVersion());
    expect(open(home, true).getVersion('unet').version).toBe(1);
  });
});

describe('remove', () => {
  it('removes one version and keeps the others', () => {
    const registry = open();
    for (let i = 0; i < 3; i++) registry.addVersion(newVersion());
    expect(registry.remove('unet', 2)).toEqual({ removed: [2] });
    expect(registry.get('unet').versions.map((v) => v.version)).toEqual([1, 3]);
  });

  it('never reuses a removed version number', () => {
    const registry = open();
    registry.addVersion(newVersion());
    registry.addVersion(newVersion());
    registry.remove('unet', 2);
    expect(registry.addVersion(newVersion()).version).toBe(3);
  });

  it('removes the whole model when no version is given', () => {
    const registry = open();
    registry.addVersion(newVersion());
    registry.addVersion(newVersion());
    registry.addVersion(newVersion('other'));
    expect(registry.remove('unet')).toEqual({ removed: [1, 2] });
    expect(registry.list().map((m) => m.name)).toEqual(['other']);
    expect(catchError(() => registry.get('unet')).code).toBe('ERR_MODEL_NOT_FOUND');
  });

  it('removes the model with its last version, and a new add starts again at 1', () => {
    const registry = open();
    registry.addVersion(newVersion());
    expect(registry.remove('unet', 1)).toEqual({ removed: [1] });
    expect(registry.list()).toEqual([]);
    expect(registry.addVersion(newVersion()).version).toBe(1);
  });

  it('removes registry rows only, never the files', () => {
    const home = tempHome();
    mkdirSync(home, { recursive: true });
    const onnx = join(home, 'unet.onnx');
    writeFileSync(onnx, 'not really onnx');
    const registry = open(home);
    registry.addVersion({ name: 'unet', source: 'import', files: { onnx: { path: onnx, sha256: SHA_A, bytes: 15 } } });
    registry.remove('unet');
    expect(existsSync(onnx)).toBe(true);
  });

  it('reports unknown names and versions', () => {
    const registry = open();
    registry.addVersion(newVersion());
    expect(catchError(() => registry.remove('nope')).code).toBe('ERR_MODEL_NOT_FOUND');
    expect(catchError(() => registry.remove('unet', 9)).message).toMatch(/no version 9 .*\(versions: 1\)/);
    expect(registry.get('unet').versionCount).toBe(1);
  });
});

describe('not-found errors', () => {
  it('names the model and the database, with a hint to run list', () => {
    const registry = open();
    registry.addVersion(newVersion('resnet18'));
    const error = catchError(() => registry.get('unet'));
    expect(error.code).toBe('ERR_MODEL_NOT_FOUND');
    expect(error.message).toBe(`No model named "unet" in the registry at ${registry.dbPath}`);
    expect(error.hint).toBe('Run "oxidizedvision list" to see registered models');
  });

  it('suggests a registered name within two edits', () => {
    const registry = open();
    registry.addVersion(newVersion('unet'));
    registry.addVersion(newVersion('resnet18'));
    const error = catchError(() => registry.getVersion('resnet81'));
    expect(error.message).toMatch(/Did you mean "resnet18"\?$/);
    expect(error.details).toMatchObject({ suggestion: 'resnet18' });
    expect(catchError(() => registry.get('UNET')).message).toMatch(/Did you mean "unet"\?/);
  });

  it('lists the versions that exist when the version is unknown', () => {
    const registry = open();
    for (let i = 0; i < 3; i++) registry.addVersion(newVersion());
    registry.remove('unet', 2);
    const error = catchError(() => registry.getVersion('unet', 7));
    expect(error.code).toBe('ERR_MODEL_NOT_FOUND');
    expect(error.message).toContain('Model "unet" has no version 7');
    expect(error.message).toContain('(versions: 1, 3)');
    expect(error.details).toMatchObject({ versions: [1, 3] });
  });

  it('rejects malformed names and versions on lookup with ERR_USAGE', () => {
    const registry = open();
    expect(catchError(() => registry.get('bad name')).code).toBe('ERR_USAGE');
    expect(catchError(() => registry.getVersion('unet', 0)).code).toBe('ERR_USAGE');
    expect(catchError(() => registry.getVersion('unet', 1.5)).code).toBe('ERR_USAGE');
  });
});

describe('parseModelRef', () => {
  it.each([
    ['unet', { name: 'unet' }],
    ['unet:3', { name: 'unet', version: 3 }],
    ['resnet18.int8:12', { name: 'resnet18.int8', version: 12 }],
  ])('parses %j', (ref, expected) => {
    expect(parseModelRef(ref)).toEqual(expected);
  });

  it.each(['unet:', 'unet:x', ':2', 'unet:0', 'unet:01', 'unet:-1', 'unet:1.5', 'unet:2:3', '', 'bad name:1'])(
    'rejects %j with ERR_USAGE naming the ref and the form',
    (ref) => {
      const error = catchError(() => parseModelRef(ref));
      expect(error.code).toBe('ERR_USAGE');
      expect(error.message).toContain(`"${ref}"`);
      expect(error.message).toContain('name[:version]');
    },
  );
});

describe('a registry that does not exist yet', () => {
  it('reads as empty and creates nothing', () => {
    const home = tempHome();
    for (const readonly of [false, true]) {
      const registry = open(home, readonly);
      expect(registry.list()).toEqual([]);
      expect(catchError(() => registry.get('unet')).code).toBe('ERR_MODEL_NOT_FOUND');
      expect(catchError(() => registry.getVersion('unet')).code).toBe('ERR_MODEL_NOT_FOUND');
    }
    expect(catchError(() => open(home).remove('unet')).code).toBe('ERR_MODEL_NOT_FOUND');
    expect(existsSync(home)).toBe(false);
  });

  it('is created on the first write, in a 0700 folder, with WAL and the current schema', () => {
    const home = tempHome();
    const registry = open(home);
    registry.addVersion(newVersion());
    expect(statSync(home).mode & 0o777).toBe(0o700);
    expect(readdirSync(home)).toContain('registry.db');

    const db = new Database(registry.dbPath, { readonly: true });
    cleanups.push(() => db.close());
    expect(db.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION);
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
  });

  it('refuses writes when opened read-only', () => {
    const home = tempHome();
    const error = catchError(() => open(home, true).addVersion(newVersion()));
    expect(error.code).toBe('ERR_REGISTRY');
    expect(existsSync(home)).toBe(false);
  });
});

describe('a damaged registry', () => {
  function corruptHome(): string {
    const home = tempHome();
    mkdirSync(home, { recursive: true });
    writeFileSync(
      join(home, 'registry.db'),
      'this is not a SQLite database, just text long enough to fill a header page'.repeat(20),
    );
    return home;
  }

  it.each([
    ['list', (r: Registry) => r.list()],
    ['get', (r: Registry) => r.get('unet')],
    ['addVersion', (r: Registry) => r.addVersion(newVersion())],
    ['remove', (r: Registry) => r.remove('unet')],
  ])('reports ERR_REGISTRY naming the file on %s', (_, operation) => {
    for (const readonly of [false, true]) {
      const registry = open(corruptHome(), readonly);
      const error = catchError(() => operation(registry));
      expect(error.code).toBe('ERR_REGISTRY');
      expect(error.message).toContain(registry.dbPath);
      if (!readonly || _ === 'list' || _ === 'get') expect(error.message).toContain('not a valid SQLite database');
    }
  });

  it('refuses a database written by a newer schema', () => {
    const home = tempHome();
    open(home).addVersion(newVersion());
    const db = new Database(join(home, 'registry.db'));
    db.pragma(`user_version = ${SCHEMA_VERSION + 1}`);
    db.close();
    for (const readonly of [false, true]) {
      const error = catchError(() => open(home, readonly).list());
      expect(error.code).toBe('ERR_REGISTRY');
      expect(error.message).toMatch(/newer than this OxidizedVision understands/);
    }
  });
});
