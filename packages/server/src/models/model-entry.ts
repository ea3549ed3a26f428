import { OxvError, parseModelCard, type RunnerInfo } from '@oxidizedvision/runtime';
import type { Emitter } from './events.js';
import { loadGeneration, type Generation } from './generation.js';
import { parseModelConfig } from './model-config.js';
import { configFileOf, type ModelSource } from './model-source.js';
import type { VersionPolicy } from './options.js';
import { readOptional, readVersionContent, type VersionContent, type VersionFiles } from './repository.js';
import { createSerialQueue } from './serial-queue.js';
import { compareVersions, describePolicy, selectVersions } from './version-select.js';
import { createVersionSlot, setState, type VersionSlot } from './version-slot.js';

/** What an entry needs from its manager. */
export interface EntryContext {
  readonly events: Emitter;
  readonly workerUrl: URL;
  readonly workerNice: number;
  /** The automatic intra-op thread budget for an instance of a model with `count` instances. */
  threadsFor(count: number): number;
  isClosed(): boolean;
  /** Every live generation is tracked so that drain() and close() reach retiring ones too. */
  register(generation: Generation): void;
  unregister(generation: Generation): void;
}

/** One model name and all its versions. Loads, reloads and unloads of one model run one at a time. */
export interface ModelEntry {
  readonly name: string;
  readonly source: ModelSource;
  /** Meant to be loaded: false for explicit-mode models not yet loaded and after unload(). */
  readonly wanted: boolean;
  readonly lastLoadError: string | null;
  /** Configured instance count (for the thread budget of all models). */
  instanceCount(): number;
  /** The last scan found at least one version (a model folder emptied or deleted in poll mode did not). */
  present(): boolean;
  slots(): VersionSlot[];
  slot(version: string): VersionSlot | undefined;
  /** The version served when none is named: the highest READY one. */
  servingSlot(): VersionSlot | undefined;
  /** The .onnx file a loaded version was loaded from; null when that version is not loaded. */
  loadedFile(version: string): string | null;
  /**
   * Brings loaded versions in line with the files. `stable` (poll mode) acts on a changed file only once two
   * scans in a row saw it unchanged, and never retries a failed file until it changes again.
   */
  sync(stable: boolean): Promise<void>;
  /** Marks the model wanted, retries failed versions, loads; rejects with ERR_MODEL_LOAD if a load failed. */
  load(): Promise<void>;
  /** Marks the model unwanted; each loaded version drains, then releases its workers. */
  unload(): Promise<void>;
  /** Resolves once queued loads and unloads have finished. */
  settled(): Promise<void>;
}

export function createModelEntry(source: ModelSource, initiallyWanted: boolean, ctx: EntryContext): ModelEntry {
  const { name } = source;
  const { events } = ctx;
  const slots = new Map<string, VersionSlot>();
  // Kept beside the slots rather than in them: only `serve --ui` reads it, to list the model's files.
  const loadedFiles = new Map<string, string>();
  const queue = createSerialQueue();
  let configuredCount = source.defaults.instances.count;
  let lastLoadError: string | null = null;
  let wanted = initiallyWanted;
  let present = true;
  const log = (level: 'info' | 'warn' | 'error', msg: string, version?: string): void =>
    events.emit('log', version === undefined ? { level, msg, model: name } : { level, msg, model: name, version });

  const sortedSlots = (): VersionSlot[] => [...slots.values()].sort((a, b) => compareVersions(a.version, b.version));
  const servingSlot = (): VersionSlot | undefined =>
    sortedSlots()
      .reverse()
      .find((s) => s.state === 'READY' && s.gen !== undefined);

  function ensureSlot(version: string): VersionSlot {
    let slot = slots.get(version);
    if (slot === undefined) slots.set(version, (slot = createVersionSlot(name, version)));
    return slot;
  }

  async function versionPolicy(): Promise<VersionPolicy> {
    const file = configFileOf(source);
    if (file === null) return source.defaults.versionPolicy;
    try {
      return parseModelConfig(await readOptional(file), file, source.defaults).versionPolicy;
    } catch {
      // The same error fails each version's load, with its message recorded there.
      return source.defaults.versionPolicy;
    }
  }

  async function syncNow(stable: boolean, errors: string[]): Promise<void> {
    const files = await source.scan();
    present = files.length > 0;
    const stableNow = new Set<string>();
    for (const f of files) {
      const slot = ensureSlot(f.version);
      if (slot.seenStamp === f.stamp) stableNow.add(f.version);
      slot.seenStamp = f.stamp;
    }
    const onDisk = new Set(files.map((f) => f.version));
    for (const slot of slots.values()) {
      if (!onDisk.has(slot.version) && slot.gen === undefined)
        setState(slot, 'UNAVAILABLE', 'not in the model source', events);
    }
    if (!wanted) return;

    const policy = await versionPolicy();
    const slotOf = (f: VersionFiles): VersionSlot => slots.get(f.version)!;
    // A serving version always stays a candidate, so a broken replacement file never unloads it.
    const candidates = (): VersionFiles[] =>
      files.filter((f) => {
        const s = slotOf(f);
        return s.gen !== undefined || (s.failedStamp !== f.stamp && (!stable || stableNow.has(f.version)));
      });
    const needsLoad = (f: VersionFiles): boolean => {
      const s = slotOf(f);
      if ((s.gen !== undefined && s.loadedStamp === f.stamp) || s.failedStamp === f.stamp) return false;
      return !stable || stableNow.has(f.version);
    };
    // Every load sets loadedStamp or failedStamp for its files, so this loop ends.
    for (;;) {
      if (ctx.isClosed()) return;
      const next = selectVersions(policy, candidates()).find(needsLoad);
      if (next === undefined) break;
      await loadVersion(slotOf(next), next, errors);
    }
    const keep = new Set(selectVersions(policy, candidates()).map((f) => f.version));
    for (const slot of sortedSlots()) {
      if (slot.gen === undefined || keep.has(slot.version)) continue;
      const why = onDisk.has(slot.version)
        ? `unloaded: the version policy keeps ${describePolicy(policy)}`
        : 'unloaded: removed from the model source';
      await unloadSlot(slot, why);
    }
  }

  async function loadVersion(slot: VersionSlot, files: VersionFiles, errors: string[]): Promise<void> {
    let content: VersionContent | undefined;
    try {
      content = await readVersionContent(files);
      if (slot.gen !== undefined && content.sha256 === slot.gen.sha256) {
        // Touched, or put back after a failed replacement: what is on disk is what serves.
        slot.loadedStamp = files.stamp;
        if (slot.failedSha !== undefined) {
          slot.failedStamp = slot.failedSha = undefined;
          lastLoadError = null;
        }
        return;
      }
      if (content.sha256 === slot.failedSha) {
        slot.failedStamp = files.stamp;
        return;
      }
      if (slot.gen === undefined) setState(slot, 'LOADING', undefined, events);
      const generation = await startGeneration(slot, files, content);
      if (ctx.isClosed()) {
        await generation.close(new OxvError('ERR_SHUTTING_DOWN', 'the model manager is closed'));
        return;
      }
      const reference = slot.gen ?? servingSlot()?.gen;
      const change = reference === undefined ? undefined : interfaceChange(reference.info, generation.info);
      if (change !== undefined) {
        await generation.close(new OxvError('ERR_MODEL_LOAD', change));
        throw new OxvError('ERR_MODEL_LOAD', `${change}; unload the model first to serve a different interface`);
      }
      swapIn(slot, files, generation);
    } catch (error) {
      slot.failedStamp = files.stamp;
      slot.failedSha = content?.sha256;
      const message = error instanceof Error ? error.message : String(error);
      lastLoadError = `version ${slot.version}: ${message}`;
      errors.push(lastLoadError);
      if (slot.gen === undefined) setState(slot, 'UNAVAILABLE', message, events);
      const serving = slot.gen !== undefined ? ' (the loaded copy keeps serving)' : '';
      log('error', `model "${name}" version ${slot.version}: load failed${serving}: ${message}`, slot.version);
    }
  }

  async function startGeneration(slot: VersionSlot, files: VersionFiles, content: VersionContent): Promise<Generation> {
    const config = parseModelConfig(content.configText, files.config ?? '', source.defaults);
    const card = content.cardText === null ? null : parseModelCard(content.cardText, files.card);
    configuredCount = config.instances.count;
    const threads = config.instances.threads > 0 ? config.instances.threads : ctx.threadsFor(config.instances.count);
    // ORT resolves external weight files relative to the model's path, which a byte buffer does not have.
    const external = (card?.onnx?.external_data?.length ?? 0) > 0;
    const generation = await loadGeneration({
      name,
      version: slot.version,
      model: external ? files.model : content.bytes,
      sha256: content.sha256,
      card,
      batching: config.batching,
      instances: Object.freeze({ count: config.instances.count, threads }),
      workerUrl: ctx.workerUrl,
      workerNice: ctx.workerNice,
      events,
      stats: slot.stats,
      onClosed: (g) => ctx.unregister(g),
    });
    ctx.register(generation);
    return generation;
  }

  /** The atomic part of a reload: from this synchronous step on, new requests reach the new generation. */
  function swapIn(slot: VersionSlot, files: VersionFiles, generation: Generation): void {
    const previous = slot.gen;
    slot.gen = generation;
    loadedFiles.set(slot.version, files.model);
    slot.loadedStamp = files.stamp;
    slot.failedStamp = undefined;
    slot.failedSha = undefined;
    slot.last = {
      info: generation.info,
      card: generation.card,
      batching: generation.batching,
      instances: generation.instances,
    };
    lastLoadError = null;
    setState(slot, 'READY', undefined, events);
    if (previous !== undefined) {
      log('info', `model "${name}" version ${slot.version}: reloaded; the previous copy drains`, slot.version);
      void previous.retire();
    }
  }

  async function unloadSlot(slot: VersionSlot, reason: string): Promise<void> {
    const generation = slot.gen;
    if (generation === undefined) return;
    setState(slot, 'UNLOADING', reason, events);
    await generation.retire();
    if (slot.gen === generation) {
      slot.gen = undefined;
      slot.loadedStamp = undefined;
      loadedFiles.delete(slot.version);
    }
    setState(slot, 'UNAVAILABLE', reason, events);
    log('info', `model "${name}" version ${slot.version}: ${reason}`, slot.version);
  }

  return {
    name,
    source,
    get wanted() {
      return wanted;
    },
    get lastLoadError() {
      return lastLoadError;
    },
    instanceCount: () => configuredCount,
    present: () => present,
    slots: sortedSlots,
    slot: (version) => slots.get(version),
    servingSlot,
    loadedFile: (version) => loadedFiles.get(version) ?? null,
    sync: (stable) => queue(() => syncNow(stable, [])),
    load: () =>
      queue(async () => {
        wanted = true;
        // An explicit load is a request to try again, even for files that failed before.
        for (const slot of slots.values()) slot.failedStamp = slot.failedSha = undefined;
        const errors: string[] = [];
        await syncNow(false, errors);
        if (errors.length > 0) throw new OxvError('ERR_MODEL_LOAD', `model "${name}": ${errors.join('; ')}`);
        if (servingSlot() === undefined) {
          throw new OxvError('ERR_MODEL_LOAD', `model "${name}" has no version to load in ${source.where}`);
        }
      }),
    unload: () =>
      queue(async () => {
        wanted = false;
        for (const slot of sortedSlots()) await unloadSlot(slot, 'unloaded by request');
      }),
    settled: () => queue.settled(),
  };
}

/** Clients depend on input names and dtypes; a reload that changes them would break every caller at once. */
function interfaceChange(before: RunnerInfo, after: RunnerInfo): string | undefined {
  const signature = (info: RunnerInfo): string =>
    info.inputs
      .map((i) => `${i.name}: ${i.dtype}`)
      .sort()
      .join(', ');
  const was = signature(before);
  const now = signature(after);
  return was === now ? undefined : `the new file's inputs (${now}) differ from the served ones (${was})`;
}
