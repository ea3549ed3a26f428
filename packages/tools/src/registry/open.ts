import { existsSync, mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import Database from 'better-sqlite3';
import { OxvError } from '@oxidizedvision/runtime';
import { resolveRegistryHome, resolveRegistryPath } from './home.js';
import { BUSY_TIMEOUT_MS, modelNotFound, readonlyRegistry, toRegistryError } from './internal/errors.js';
import { normaliseNewVersion } from './internal/validate.js';
import { assertModelName, assertVersionNumber } from './model-ref.js';
import { deleteVersions, getModel, getModelVersion, insertVersion, listModels, type QueryContext } from './queries.js';
import { checkReadableSchema, migrate } from './schema.js';
import type { ModelDetails, ModelSummary, ModelVersion, NewVersion, OpenRegistryOptions, Registry } from './types.js';

function configure(db: Database.Database, dbPath: string, readonly: boolean): boolean {
  // Set first: every later statement, journal_mode and migration included, then waits for a lock held by
  // another CLI process instead of failing with SQLITE_BUSY at once.
  db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
  db.pragma('foreign_keys = ON');
  if (readonly) return checkReadableSchema(db, dbPath);
  enableWal(db);
  migrate(db, dbPath);
  return true;
}

/**
 * WAL lets `list` read while a `convert` in another process is writing. Switching a database to WAL needs
 * an exclusive lock, and SQLite answers SQLITE_BUSY at once, without the busy handler, while another
 * process opening the same new database holds a lock (seen with 4 processes registering at once on a
 * loaded machine). So it is retried for the busy timeout, and skipped once the file is already WAL.
 */
function enableWal(db: Database.Database): void {
  const deadline = Date.now() + BUSY_TIMEOUT_MS;
  for (;;) {
    try {
      if (db.pragma('journal_mode', { simple: true }) !== 'wal') db.pragma('journal_mode = WAL');
      return;
    } catch (error) {
      if ((error as { code?: string }).code !== 'SQLITE_BUSY' || Date.now() > deadline) throw error;
      Atomics.wait(RETRY_WAIT, 0, 0, 10 + Math.random() * 20);
    }
  }
}

/** A synchronous sleep for the retry above (better-sqlite3 is synchronous, so the caller is too). */
const RETRY_WAIT = new Int32Array(new SharedArrayBuffer(4));

class SqliteRegistry implements Registry {
  readonly home: string;
  readonly dbPath: string;
  readonly readonly: boolean;
  #db: Database.Database | undefined;
  #closed = false;

  constructor(home: string, readonly: boolean) {
    this.home = home;
    this.dbPath = resolveRegistryPath(home);
    this.readonly = readonly;
  }

  /**
   * Opens lazily: reading a registry that does not exist yet returns undefined (an empty registry) and
   * creates nothing; only the first write creates the folder (0700) and the database.
   */
  #connect(forWrite: boolean): Database.Database | undefined {
    if (this.#closed) throw new OxvError('ERR_REGISTRY', `The registry at ${this.dbPath} is closed`);
    if (forWrite && this.readonly) throw readonlyRegistry(this.dbPath);
    if (this.#db !== undefined) return this.#db;
    if (!existsSync(this.dbPath)) {
      if (!forWrite) return undefined;
      mkdirSync(this.home, { recursive: true, mode: 0o700 });
    }
    const db = new Database(this.dbPath, { readonly: this.readonly, fileMustExist: this.readonly });
    try {
      if (!configure(db, this.dbPath, this.readonly)) {
        db.close();
        return undefined;
      }
    } catch (error) {
      db.close();
      throw error;
    }
    this.#db = db;
    return db;
  }

  #context(db: Database.Database): QueryContext {
    return { db, dbPath: this.dbPath, now: () => new Date().toISOString() };
  }

  #guard<T>(work: () => T): T {
    try {
      return work();
    } catch (error) {
      throw toRegistryError(error, this.dbPath);
    }
  }

  addVersion(version: NewVersion): ModelVersion {
    const input = normaliseNewVersion(version);
    return this.#guard(() => {
      const db = this.#connect(true) as Database.Database;
      return db.transaction(() => insertVersion(this.#context(db), input)).immediate();
    });
  }

  list(): ModelSummary[] {
    return this.#guard(() => {
      const db = this.#connect(false);
      return db === undefined ? [] : listModels(db);
    });
  }

  get(name: string): ModelDetails {
    assertModelName(name);
    return this.#guard(() => {
      const db = this.#connect(false);
      if (db === undefined) throw modelNotFound(name, this.dbPath, []);
      return getModel(this.#context(db), name);
    });
  }

  getVersion(name: string, version?: number): ModelVersion {
    assertModelName(name);
    if (version !== undefined) assertVersionNumber(version);
    return this.#guard(() => {
      const db = this.#connect(false);
      if (db === undefined) throw modelNotFound(name, this.dbPath, []);
      return getModelVersion(this.#context(db), name, version);
    });
  }

  remove(name: string, version?: number): { removed: number[] } {
    assertModelName(name);
    if (version !== undefined) assertVersionNumber(version);
    return this.#guard(() => {
      if (this.readonly) throw readonlyRegistry(this.dbPath);
      // Removing from a registry that does not exist must not create one just to report "not found".
      const db = this.#connect(false);
      if (db === undefined) throw modelNotFound(name, this.dbPath, []);
      const removed = db.transaction(() => deleteVersions(this.#context(db), name, version)).immediate();
      return { removed };
    });
  }

  close(): void {
    this.#closed = true;
    this.#db?.close();
    this.#db = undefined;
  }
}

/** Opens (lazily) the registry in `options.home`, else in resolveRegistryHome(). Call close() when done. */
export function openRegistry(options: OpenRegistryOptions = {}): Registry {
  const home = resolve(options.home ?? resolveRegistryHome());
  return new SqliteRegistry(home, options.readonly ?? false);
}
