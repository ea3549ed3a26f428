import type Database from 'better-sqlite3';
import { modelNotFound, versionNotFound } from './internal/errors.js';
import type { ValidNewVersion } from './internal/validate.js';
import {
  FILE_KINDS,
  type FileKind,
  type ModelDetails,
  type ModelSummary,
  type ModelVersion,
  type VersionFiles,
} from './types.js';

type Db = Database.Database;

interface ModelRow {
  id: number;
  name: string;
  created_at: string;
  updated_at: string;
  last_version: number;
}
interface VersionRow {
  version: number;
  created_at: string;
  source: string;
  metadata: string;
  parent_version: number | null;
  notes: string | null;
}
interface FileRow {
  version: number;
  kind: FileKind;
  path: string;
  sha256: string;
  bytes: number;
}
interface SummaryRow {
  name: string;
  created_at: string;
  updated_at: string;
  latest: number;
  count: number;
}

export interface QueryContext {
  db: Db;
  dbPath: string;
  now: () => string;
}

function findModel(db: Db, name: string): ModelRow | undefined {
  return db.prepare('SELECT id, name, created_at, updated_at, last_version FROM models WHERE name = ?').get(name) as
    ModelRow | undefined;
}

function versionNumbers(db: Db, modelId: number): number[] {
  const rows = db.prepare('SELECT version FROM versions WHERE model_id = ? ORDER BY version').all(modelId) as {
    version: number;
  }[];
  return rows.map((row) => row.version);
}

function requireModel({ db, dbPath }: QueryContext, name: string): ModelRow {
  const model = findModel(db, name);
  if (model !== undefined) return model;
  const names = (db.prepare('SELECT name FROM models').all() as { name: string }[]).map((row) => row.name);
  throw modelNotFound(name, dbPath, names);
}

function toVersion(name: string, row: VersionRow, fileRows: readonly FileRow[]): ModelVersion {
  const files: Partial<VersionFiles> = {};
  for (const kind of FILE_KINDS) {
    const file = fileRows.find((row) => row.kind === kind);
    if (file !== undefined) files[kind] = { path: file.path, sha256: file.sha256, bytes: file.bytes };
  }
  return {
    name,
    version: row.version,
    createdAt: row.created_at,
    source: row.source,
    files: files as VersionFiles,
    metadata: JSON.parse(row.metadata) as Record<string, unknown>,
    parentVersion: row.parent_version,
    notes: row.notes,
  };
}

function loadVersions(db: Db, model: ModelRow, version?: number): ModelVersion[] {
  const filter = version === undefined ? '' : ' AND version = ?';
  const args = version === undefined ? [model.id] : [model.id, version];
  const rows = db
    .prepare(
      `SELECT version, created_at, source, metadata, parent_version, notes FROM versions WHERE model_id = ?${filter} ORDER BY version`,
    )
    .all(...args) as VersionRow[];
  const fileRows = db
    .prepare(`SELECT version, kind, path, sha256, bytes FROM version_files WHERE model_id = ?${filter}`)
    .all(...args) as FileRow[];
  return rows.map((row) =>
    toVersion(
      model.name,
      row,
      fileRows.filter((file) => file.version === row.version),
    ),
  );
}

/** Must run inside an IMMEDIATE transaction: reading last_version and bumping it has to be one step. */
export function insertVersion(ctx: QueryContext, input: ValidNewVersion): ModelVersion {
  const { db } = ctx;
  const now = ctx.now();
  let model = findModel(db, input.name);
  if (model === undefined) {
    if (input.parentVersion !== null) throw requireModel(ctx, input.name);
    db.prepare('INSERT INTO models (name, created_at, updated_at) VALUES (?, ?, ?)').run(input.name, now, now);
    model = findModel(db, input.name) as ModelRow;
  }
  if (input.parentVersion !== null) {
    const existing = versionNumbers(db, model.id);
    if (!existing.includes(input.parentVersion))
      throw versionNotFound(input.name, input.parentVersion, existing, ctx.dbPath);
  }
  const version = model.last_version + 1;
  db.prepare('UPDATE models SET last_version = ?, updated_at = ? WHERE id = ?').run(version, now, model.id);
  db.prepare(
    'INSERT INTO versions (model_id, version, created_at, source, metadata, parent_version, notes) VALUES (?, ?, ?, ?, ?, ?, ?)',
  ).run(model.id, version, now, input.source, JSON.stringify(input.metadata), input.parentVersion, input.notes);
  const insertFile = db.prepare(
    'INSERT INTO version_files (model_id, version, kind, path, sha256, bytes) VALUES (?, ?, ?, ?, ?, ?)',
  );
  for (const kind of FILE_KINDS) {
    const file = input.files[kind];
    if (file !== undefined) insertFile.run(model.id, version, kind, file.path, file.sha256, file.bytes);
  }
  return loadVersions(db, model, version)[0] as ModelVersion;
}

export function listModels(db: Db): ModelSummary[] {
  const rows = db
    .prepare(
      `SELECT m.name, m.created_at, m.updated_at, MAX(v.version) AS latest, COUNT(v.version) AS count
         FROM models m JOIN versions v ON v.model_id = m.id
        GROUP BY m.id ORDER BY m.name`,
    )
    .all() as SummaryRow[];
  return rows.map((row) => ({
    name: row.name,
    latestVersion: row.latest,
    versionCount: row.count,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  }));
}

export function getModel(ctx: QueryContext, name: string): ModelDetails {
  const model = requireModel(ctx, name);
  const versions = loadVersions(ctx.db, model);
  const latest = versions.at(-1);
  // A model row without versions is never left behind by remove(); treat one as absent all the same.
  if (latest === undefined) throw modelNotFound(name, ctx.dbPath, []);
  return {
    name: model.name,
    latestVersion: latest.version,
    versionCount: versions.length,
    createdAt: model.created_at,
    updatedAt: model.updated_at,
    versions,
  };
}

export function getModelVersion(ctx: QueryContext, name: string, version?: number): ModelVersion {
  const model = requireModel(ctx, name);
  const existing = versionNumbers(ctx.db, model.id);
  const wanted = version ?? existing.at(-1);
  const found = wanted === undefined ? undefined : loadVersions(ctx.db, model, wanted)[0];
  if (found === undefined) throw versionNotFound(name, wanted ?? 0, existing, ctx.dbPath);
  return found;
}

/** Must run inside an IMMEDIATE transaction. Deletes rows only. */
export function deleteVersions(ctx: QueryContext, name: string, version?: number): number[] {
  const { db } = ctx;
  const model = requireModel(ctx, name);
  const existing = versionNumbers(db, model.id);
  if (version !== undefined && !existing.includes(version)) throw versionNotFound(name, version, existing, ctx.dbPath);
  const removed = version === undefined ? existing : [version];
  const remaining = existing.length - removed.length;
  for (const number of removed) {
    db.prepare('DELETE FROM version_files WHERE model_id = ? AND version = ?').run(model.id, number);
    db.prepare('DELETE FROM versions WHERE model_id = ? AND version = ?').run(model.id, number);
  }
  if (remaining === 0) db.prepare('DELETE FROM models WHERE id = ?').run(model.id);
  else db.prepare('UPDATE models SET updated_at = ? WHERE id = ?').run(ctx.now(), model.id);
  return removed;
}
