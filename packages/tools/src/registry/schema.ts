import type Database from 'better-sqlite3';
import { OxvError } from '@oxidizedvision/runtime';

/**
 * Each entry upgrades the schema from version i to i + 1 (PRAGMA user_version). Append only: a database
 * written by an older release is upgraded step by step, and one written by a newer release is refused
 * rather than misread.
 */
const MIGRATIONS: readonly string[] = [
  `
  CREATE TABLE models (
    id           INTEGER PRIMARY KEY,
    name         TEXT NOT NULL UNIQUE,
    created_at   TEXT NOT NULL,
    updated_at   TEXT NOT NULL,
    -- Highest version ever given out: numbers are never reused after a version is removed, so
    -- "unet:3" cannot silently come to mean a different model.
    last_version INTEGER NOT NULL DEFAULT 0
  );
  CREATE TABLE versions (
    model_id       INTEGER NOT NULL REFERENCES models(id) ON DELETE CASCADE,
    version        INTEGER NOT NULL CHECK (version >= 1),
    created_at     TEXT NOT NULL,
    source         TEXT NOT NULL,
    metadata       TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(metadata)),
    parent_version INTEGER,
    notes          TEXT,
    PRIMARY KEY (model_id, version)
  );
  CREATE TABLE version_files (
    model_id INTEGER NOT NULL,
    version  INTEGER NOT NULL,
    kind     TEXT NOT NULL CHECK (kind IN ('onnx', 'torchscript', 'card')),
    path     TEXT NOT NULL,
    sha256   TEXT NOT NULL,
    bytes    INTEGER NOT NULL CHECK (bytes >= 0),
    PRIMARY KEY (model_id, version, kind),
    FOREIGN KEY (model_id, version) REFERENCES versions(model_id, version) ON DELETE CASCADE
  );
  `,
];

export const SCHEMA_VERSION = MIGRATIONS.length;

export function readSchemaVersion(db: Database.Database): number {
  return db.pragma('user_version', { simple: true }) as number;
}

function refuseNewer(found: number, dbPath: string): never {
  throw new OxvError(
    'ERR_REGISTRY',
    `The registry at ${dbPath} has schema version ${found}, newer than this OxidizedVision understands (${SCHEMA_VERSION})`,
    {
      hint: 'Upgrade OxidizedVision, or point OXV_HOME at another folder',
      details: { file: dbPath, found, supported: SCHEMA_VERSION },
    },
  );
}

/**
 * Brings the schema up to SCHEMA_VERSION inside one IMMEDIATE transaction, re-reading the version under
 * the write lock so that two processes opening a fresh database at once do not both create the tables.
 */
export function migrate(db: Database.Database, dbPath: string): void {
  const current = readSchemaVersion(db);
  if (current === SCHEMA_VERSION) return;
  if (current > SCHEMA_VERSION) refuseNewer(current, dbPath);
  const upgrade = db.transaction(() => {
    const locked = readSchemaVersion(db);
    if (locked > SCHEMA_VERSION) refuseNewer(locked, dbPath);
    for (let version = locked; version < SCHEMA_VERSION; version++) {
      db.exec(MIGRATIONS[version] ?? '');
      db.pragma(`user_version = ${version + 1}`);
    }
  });
  upgrade.immediate();
}

/**
 * For read-only connections, which cannot migrate. Returns false when the file holds no registry yet
 * (schema 0: an empty or foreign SQLite file is read as an empty registry).
 */
export function checkReadableSchema(db: Database.Database, dbPath: string): boolean {
  const current = readSchemaVersion(db);
  if (current > SCHEMA_VERSION) refuseNewer(current, dbPath);
  if (current === 0) return false;
  if (current < SCHEMA_VERSION) {
    throw new OxvError(
      'ERR_REGISTRY',
      `The registry at ${dbPath} has an older schema (${current}) that must be upgraded`,
      {
        hint: 'Open it once without read-only (any command that writes, e.g. convert) to upgrade it',
        details: { file: dbPath, found: current, supported: SCHEMA_VERSION },
      },
    );
  }
  return true;
}
