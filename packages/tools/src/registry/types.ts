/** One file a version points at. The caller hashes it; the registry stores what it is given. */
export interface RegistryFile {
  /** Stored as an absolute path (a relative one is resolved against the current directory). */
  path: string;
  /** Lower-case hex sha256 of the file's bytes. */
  sha256: string;
  bytes: number;
}

export interface VersionFiles {
  onnx: RegistryFile;
  torchscript?: RegistryFile;
  /** The model card JSON. */
  card?: RegistryFile;
}

export type FileKind = keyof VersionFiles;

export const FILE_KINDS: readonly FileKind[] = ['onnx', 'torchscript', 'card'];

export interface NewVersion {
  name: string;
  /** What produced it: 'convert', 'optimize', 'import'… */
  source: string;
  files: VersionFiles;
  /** Free-form JSON object (model card summary, config); must survive JSON.stringify. */
  metadata?: Record<string, unknown>;
  /** The version this one was derived from (e.g. the fp32 version an optimize started from). */
  parentVersion?: number;
  notes?: string;
}

export interface ModelVersion {
  name: string;
  version: number;
  /** ISO 8601 UTC. */
  createdAt: string;
  source: string;
  files: VersionFiles;
  metadata: Record<string, unknown>;
  parentVersion: number | null;
  notes: string | null;
}

export interface ModelSummary {
  name: string;
  latestVersion: number;
  versionCount: number;
  /** When the model's first version was added; later versions never change it. */
  createdAt: string;
  /** When a version was last added or removed. */
  updatedAt: string;
}

export interface ModelDetails extends ModelSummary {
  /** Oldest first. */
  versions: ModelVersion[];
}

export interface OpenRegistryOptions {
  /** Folder holding registry.db; defaults to resolveRegistryHome(). */
  home?: string;
  /** Never create, migrate or write; writes throw ERR_REGISTRY. */
  readonly?: boolean;
}

export interface Registry {
  readonly home: string;
  readonly dbPath: string;
  readonly readonly: boolean;
  /** Adds the next version of `name` (1 for a new model) atomically, even across processes. */
  addVersion(version: NewVersion): ModelVersion;
  /** Models sorted by name; empty when the database does not exist yet. */
  list(): ModelSummary[];
  get(name: string): ModelDetails;
  /** The latest version when `version` is omitted. */
  getVersion(name: string, version?: number): ModelVersion;
  /** Deletes registry rows only, never the files they point at. Removing the last version removes the model. */
  remove(name: string, version?: number): { removed: number[] };
  close(): void;
}
