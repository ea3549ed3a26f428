import { createHash } from 'node:crypto';
import { readFile, readdir, stat } from 'node:fs/promises';
import { basename, dirname, extname, join } from 'node:path';
import { OxvError } from '@oxidizedvision/runtime';

/** The files one model version is loaded from. */
export interface VersionFiles {
  version: string;
  model: string;
  /** `<stem>.card.json` beside the model (`model.card.json` in a repository version folder); may not exist. */
  card: string;
  /** The model's config.json (repository models only); may not exist. */
  config: string | null;
  /**
   * Size and mtime of model, card and config: a cheap change detector. Poll mode acts on a change only once
   * two scans in a row see the same stamp, so a file still being written is not loaded half-way.
   */
  stamp: string;
}

/** What a version's files held when read: loaded from these bytes, so later writes cannot change it. */
export interface VersionContent {
  bytes: Uint8Array;
  cardText: string | null;
  configText: string | null;
  /** Over model, card and config together: a changed config reloads the version just like a new file. */
  sha256: string;
}

/** Triton ignores version folders that are not plain positive integers ("01", "v2", "latest"). */
const VERSION_FOLDER = /^[1-9][0-9]*$/;
export const REPOSITORY_MODEL_FILE = 'model.onnx';
export const REPOSITORY_CONFIG_FILE = 'config.json';

/** Model folders of a repository (hidden folders are skipped). Throws ERR_FILE_NOT_FOUND when `dir` is missing. */
export async function listRepositoryModels(dir: string): Promise<string[]> {
  try {
    const entries = await readdir(dir, { withFileTypes: true });
    return entries
      .filter((e) => e.isDirectory() && !e.name.startsWith('.'))
      .map((e) => e.name)
      .sort();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new OxvError('ERR_FILE_NOT_FOUND', `model repository not found: ${dir}`, { details: { file: dir } });
    }
    throw error;
  }
}

/** Version folders of `<repo>/<name>` that hold a model.onnx; none when the folder is gone. */
export async function scanRepositoryVersions(modelDir: string): Promise<VersionFiles[]> {
  let entries;
  try {
    entries = await readdir(modelDir, { withFileTypes: true });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  const config = join(modelDir, REPOSITORY_CONFIG_FILE);
  const versions: VersionFiles[] = [];
  for (const entry of entries) {
    if (!entry.isDirectory() || !VERSION_FOLDER.test(entry.name)) continue;
    const model = join(modelDir, entry.name, REPOSITORY_MODEL_FILE);
    const modelStamp = await stampOf(model);
    if (modelStamp === '-') continue;
    const card = join(modelDir, entry.name, 'model.card.json');
    versions.push({
      version: entry.name,
      model,
      card,
      config,
      stamp: `${modelStamp}|${await stampOf(card)}|${await stampOf(config)}`,
    });
  }
  return versions.sort((a, b) => Number(a.version) - Number(b.version));
}

/** The single version "1" of a model given as a file path. */
export async function scanFileVersion(path: string, version = '1'): Promise<VersionFiles[]> {
  const card = join(dirname(path), `${basename(path, extname(path))}.card.json`);
  return [{ version, model: path, card, config: null, stamp: `${await stampOf(path)}|${await stampOf(card)}` }];
}

export async function readVersionContent(files: VersionFiles): Promise<VersionContent> {
  let bytes: Buffer;
  try {
    bytes = await readFile(files.model);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new OxvError('ERR_FILE_NOT_FOUND', `model file not found: ${files.model}`, {
        details: { file: files.model },
      });
    }
    throw new OxvError('ERR_MODEL_LOAD', `could not read ${files.model}: ${(error as Error).message}`, {
      cause: error,
    });
  }
  const cardText = await readOptional(files.card);
  const configText = files.config === null ? null : await readOptional(files.config);
  const sha256 = createHash('sha256')
    .update(bytes)
    .update(`\0card\0${cardText ?? ''}\0config\0${configText ?? ''}`)
    .digest('hex');
  // A plain Uint8Array over exactly these bytes: it is cloned to each worker, and Buffer pools would drag more along.
  return { bytes: new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength), cardText, configText, sha256 };
}

/** A text file's content, or null when it does not exist. */
export async function readOptional(path: string): Promise<string | null> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
}

async function stampOf(path: string): Promise<string> {
  try {
    const info = await stat(path);
    return info.isFile() ? `${info.size}:${info.mtimeMs}` : '-';
  } catch {
    return '-';
  }
}
