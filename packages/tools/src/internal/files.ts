import { createHash } from 'node:crypto';
import { createReadStream, renameSync, statSync, writeFileSync } from 'node:fs';

export interface FileDigest {
  sha256: string;
  bytes: number;
}

/** Streams the file: models can be hundreds of MB and must not be read into memory whole. */
export function digestFile(path: string): Promise<FileDigest> {
  return new Promise((resolve, reject) => {
    const hash = createHash('sha256');
    createReadStream(path)
      .on('data', (chunk) => hash.update(chunk))
      .on('error', reject)
      .on('end', () => resolve({ sha256: hash.digest('hex'), bytes: statSync(path).size }));
  });
}

/** Write-then-rename, so a crash never leaves a half-written file where a good one was. */
export function writeFileAtomic(path: string, contents: string | Uint8Array): void {
  const temp = `${path}.tmp-${process.pid}-${Date.now()}`;
  writeFileSync(temp, contents);
  renameSync(temp, path);
}
