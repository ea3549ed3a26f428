import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { OxvError } from '@oxidizedvision/runtime';
import { stringify } from 'yaml';
import { silentLogger } from '../internal/logger.js';
import { dockerfile, dockerignore } from './docker.js';
import { autoscaler, deployment, inferenceService, service } from './kubernetes.js';
import { describeModel } from './models.js';
import { serviceName } from './names.js';
import { readme } from './readme.js';
import { bundlePackageJson, cliEntry, modelConfigJson, serverEntry } from './server-template.js';
import { bundleLockfile, findWorkspaceLock } from './lockfile.js';
import { packageDir, packTarballs } from './tarballs.js';
import { tritonConfig } from './triton.js';
import {
  PACKAGE_TARGETS,
  type PackagedModel,
  type PackageOptions,
  type PackageResult,
  type PackageSettings,
} from './types.js';

const SERVER_PACKAGES = ['@oxidizedvision/runtime', '@oxidizedvision/server'];
const CLI_PACKAGES = [
  '@oxidizedvision/runtime',
  '@oxidizedvision/onnx',
  '@oxidizedvision/tools',
  '@oxidizedvision/benchmark',
  '@oxidizedvision/server',
  'oxidizedvision',
];

function resolveSettings(options: PackageOptions, firstModel: string): PackageSettings {
  const template = options.template ?? 'server';
  const targets = [...new Set(options.targets ?? [])];
  const unknown = targets.filter((t) => !PACKAGE_TARGETS.includes(t));
  if (unknown.length)
    throw new OxvError('ERR_USAGE', `unknown --target ${unknown.join(', ')}; expected ${PACKAGE_TARGETS.join(', ')}`);
  const needServer = targets.filter((t) => t !== 'triton');
  if (template === 'cli' && needServer.length) {
    throw new OxvError('ERR_USAGE', `--target ${needServer.join(', ')} deploys a server; it needs --template server`);
  }
  const name = serviceName(options.name ?? firstModel);
  return Object.freeze({
    name,
    template,
    targets,
    maxBatchSize: options.maxBatchSize ?? 8,
    maxQueueDelayMs: options.maxQueueDelayMs ?? 2,
    drainTimeoutSecs: options.drainTimeoutSecs ?? 30,
    image: options.image ?? `${name}:latest`,
    port: options.port ?? 8080,
  });
}

/** `out` may be new or an empty folder; anything else needs overwrite (and is then replaced whole). */
function checkOut(out: string, overwrite: boolean): void {
  if (!existsSync(out)) return;
  if (!statSync(out).isDirectory()) throw new OxvError('ERR_OUTPUT_WRITE', `output folder ${out} is a file`);
  if (readdirSync(out).length > 0 && !overwrite) {
    throw new OxvError('ERR_OUTPUT_EXISTS', `${out} is not empty; nothing was written`, {
      hint: 'pass --overwrite to replace it, or choose another --out folder',
      details: { files: [out] },
    });
  }
}

function write(dir: string, path: string, contents: string | Buffer): void {
  mkdirSync(dirname(join(dir, path)), { recursive: true });
  writeFileSync(join(dir, path), contents);
}

/** The .onnx and any external-data files the card lists, under `folder` with the model as model.onnx. */
function copyModel(model: PackagedModel, dir: string, folder: string): void {
  mkdirSync(join(dir, folder), { recursive: true });
  copyFileSync(model.onnx, join(dir, folder, 'model.onnx'));
  const card = model.cardPath
    ? (JSON.parse(readFileSync(model.cardPath, 'utf8')) as { onnx?: { external_data?: string[] } })
    : null;
  for (const data of card?.onnx?.external_data ?? [])
    copyFileSync(join(dirname(model.onnx), data), join(dir, folder, data));
}

function writeBundle(
  dir: string,
  s: PackageSettings,
  models: PackagedModel[],
  tarballs: Awaited<ReturnType<typeof packTarballs>>,
): void {
  for (const m of models) {
    copyModel(m, dir, `models/${m.name}/1`);
    if (m.cardPath) copyFileSync(m.cardPath, join(dir, `models/${m.name}/1/model.card.json`));
    write(
      dir,
      `models/${m.name}/config.json`,
      modelConfigJson({ ...s, maxBatchSize: m.dynamicBatch ? s.maxBatchSize : 0 }),
    );
  }
  const scripts =
    s.template === 'server'
      ? { scripts: { start: 'node server.mjs' } }
      : { scripts: { start: 'node run.mjs' }, bin: { [s.name]: 'run.mjs' } };
  write(dir, 'package.json', bundlePackageJson(s, tarballs, scripts));
  const workspace = findWorkspaceLock(packageDir('@oxidizedvision/runtime'));
  if (workspace) {
    const deps = Object.fromEntries(tarballs.map((t) => [t.name, `file:vendor/${t.file}`]));
    const dirs = Object.fromEntries(tarballs.map((t) => [t.name, packageDir(t.name)]));
    write(dir, 'package-lock.json', bundleLockfile(s.name, deps, tarballs, workspace, dirs));
  }
  write(
    dir,
    '.npmrc',
    '# onnxruntime-node would otherwise download CUDA libraries at install time.\nonnxruntime-node-install=skip\n',
  );
  write(
    dir,
    s.template === 'server' ? 'server.mjs' : 'run.mjs',
    s.template === 'server' ? serverEntry(s) : cliEntry(models[0]!),
  );
  write(dir, 'README.md', readme(s, models));
  if (s.targets.includes('docker')) {
    write(dir, 'Dockerfile', dockerfile(s));
    write(dir, '.dockerignore', dockerignore());
  }
  if (s.targets.includes('kubernetes')) {
    write(dir, 'kubernetes/deployment.yaml', stringify(deployment(s, models)));
    write(dir, 'kubernetes/service.yaml', stringify(service(s)));
    write(dir, 'kubernetes/hpa.yaml', stringify(autoscaler(s)));
  }
  if (s.targets.includes('kserve')) write(dir, 'kserve/inferenceservice.yaml', stringify(inferenceService(s, models)));
  if (s.targets.includes('triton')) {
    for (const m of models) {
      write(dir, `triton/${m.name}/config.pbtxt`, tritonConfig(m, s));
      copyModel(m, dir, `triton/${m.name}/1`);
    }
  }
}

function listFiles(dir: string, base = dir): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .flatMap((e) => (e.isDirectory() ? listFiles(join(dir, e.name), base) : [relative(base, join(dir, e.name))]))
    .sort();
}

/**
 * `package`: one or more models → a deployable folder. Everything is written into a staging folder beside
 * `out` and renamed into place at the end, so a failure (a model that does not load, npm pack failing)
 * leaves nothing half-written.
 */
export async function packageModels(refs: readonly string[], options: PackageOptions): Promise<PackageResult> {
  if (refs.length === 0) throw new OxvError('ERR_USAGE', 'give at least one model to package');
  const logger = options.logger ?? silentLogger;
  const progress = (message: string) => options.onProgress?.({ stage: 'package', message });
  const out = resolve(options.out);
  checkOut(out, options.overwrite ?? false);
  const models: PackagedModel[] = [];
  for (const ref of refs) {
    progress(`Loading ${ref} and measuring its memory`);
    const model = await describeModel(ref, options.registryHome, options.memoryBytes);
    if (models.some((m) => m.name === model.name))
      throw new OxvError('ERR_USAGE', `two models are named "${model.name}"`);
    models.push(model);
  }
  const settings = resolveSettings(options, models[0]!.name);
  mkdirSync(dirname(out), { recursive: true });
  const staging = mkdtempSync(join(dirname(out), `.${basename(out)}.staging-`));
  try {
    progress('Packing @oxidizedvision tarballs');
    mkdirSync(join(staging, 'vendor'));
    const tarballs = await packTarballs(
      settings.template === 'server' ? SERVER_PACKAGES : CLI_PACKAGES,
      join(staging, 'vendor'),
    );
    writeBundle(staging, settings, models, tarballs);
    if (existsSync(out)) rmSync(out, { recursive: true, force: true });
    renameSync(staging, out);
  } catch (error) {
    rmSync(staging, { recursive: true, force: true });
    throw error;
  }
  logger.debug({ out, settings }, 'packaged');
  return {
    dir: out,
    name: settings.name,
    template: settings.template,
    targets: settings.targets,
    models: models.map((m) => ({ name: m.name, memory_bytes: m.memoryBytes })),
    files: listFiles(out),
  };
}
