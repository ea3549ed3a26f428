import { join } from 'node:path';
import type { ModelConfig } from './model-config.js';
import { REPOSITORY_CONFIG_FILE, scanFileVersion, scanRepositoryVersions, type VersionFiles } from './repository.js';

/** Where a model's versions come from: a single .onnx file, or a folder of a Triton-style repository. */
export interface ModelSource {
  readonly name: string;
  readonly kind: 'file' | 'repository';
  /** Human-readable location for messages. */
  readonly where: string;
  /** Batching, instances and version policy when the model has no config.json (or does not set them). */
  readonly defaults: ModelConfig;
  /** The versions present now, with their change stamps. */
  scan(): Promise<VersionFiles[]>;
}

/** `--model name=path.onnx`: one version, "1" unless given; batching and instances come from the spec. */
export function createFileSource(name: string, path: string, defaults: ModelConfig, version = '1'): ModelSource {
  return { name, kind: 'file', where: path, defaults, scan: () => scanFileVersion(path, version) };
}

/** `<repo>/<name>/<version>/model.onnx`, configured by `<repo>/<name>/config.json` when present. */
export function createRepositorySource(name: string, repositoryDir: string, defaults: ModelConfig): ModelSource {
  const modelDir = join(repositoryDir, name);
  return {
    name,
    kind: 'repository',
    where: modelDir,
    defaults,
    scan: () => scanRepositoryVersions(modelDir),
  };
}

export function configFileOf(source: ModelSource): string | null {
  return source.kind === 'repository' ? join(source.where, REPOSITORY_CONFIG_FILE) : null;
}
