import { OxvError } from '@oxidizedvision/runtime';
import { createEmitter } from './events.js';
import type { Generation } from './generation.js';
import { createModelEntry, type EntryContext, type ModelEntry } from './model-entry.js';
import { metadataOf, statsOf, statusesOf } from './model-metadata.js';
import { createFileSource, createRepositorySource, type ModelSource } from './model-source.js';
import { DEFAULT_VERSION_POLICY, resolveManagerOptions, type ModelManagerOptions } from './options.js';
import { startPoller, type Poller } from './poller.js';
import { listRepositoryModels } from './repository.js';
import type { InferResult, ModelManager, ModelSpec } from './types.js';
import type { VersionSlot } from './version-slot.js';

/**
 * The model layer behind the HTTP server: loads models into worker threads, batches their requests,
 * hot-reloads repository changes and drains on shutdown. Options are checked here (TypeError/RangeError
 * naming the field); nothing loads until start().
 */
export function createModelManager(options: ModelManagerOptions): ModelManager {
  const resolved = resolveManagerOptions(options);
  const repository = resolved.repository;
  const events = createEmitter();
  const entries = new Map<string, ModelEntry>();
  const live = new Set<Generation>();
  let starting: Promise<void> | undefined;
  let started = false;
  let draining = false;
  let closed = false;
  let closing: Promise<void> | undefined;
  let poller: Poller | undefined;
  const log = (level: 'info' | 'warn' | 'error', msg: string): void => events.emit('log', { level, msg });

  const ctx: EntryContext = {
    events,
    workerUrl: resolved.workerUrl,
    workerNice: resolved.workerNice,
    threadsFor(count) {
      let total = 0;
      for (const entry of entries.values()) if (entry.wanted) total += entry.instanceCount();
      return Math.max(1, Math.floor(resolved.cores / Math.max(total, count)));
    },
    isClosed: () => closed,
    register: (g) => live.add(g),
    unregister: (g) => live.delete(g),
  };

  function addEntry(source: ModelSource, wanted: boolean): ModelEntry {
    const entry = createModelEntry(source, wanted, ctx);
    entries.set(source.name, entry);
    return entry;
  }

  function repositorySource(name: string): ModelSource {
    const { dir, defaults, versionPolicy } = repository!;
    return createRepositorySource(name, dir, { ...defaults, versionPolicy });
  }

  function specSource(spec: ModelSpec): ModelSource {
    const defaults = {
      batching: spec.batching,
      instances: spec.instances,
      versionPolicy: repository?.versionPolicy ?? DEFAULT_VERSION_POLICY,
    };
    return spec.source.kind === 'file'
      ? createFileSource(spec.name, spec.source.path, defaults, spec.source.version)
      : createRepositorySource(spec.name, spec.source.dir, defaults);
  }

  async function startNow(): Promise<void> {
    if (closed) throw new OxvError('ERR_SHUTTING_DOWN', 'the model manager was closed before it started');
    for (const spec of resolved.models) addEntry(specSource(spec), true);
    if (repository !== null) {
      for (const name of await listRepositoryModels(repository.dir)) {
        if (entries.has(name)) {
          throw new OxvError(
            'ERR_CONFIG_INVALID',
            `model "${name}" is given as a model and also found in the repository ${repository.dir}`,
          );
        }
        addEntry(repositorySource(name), repository.controlMode !== 'explicit');
      }
    }
    await Promise.all([...entries.values()].map((e) => e.sync(false)));
    started = true;
    if (repository?.controlMode === 'poll' && !draining) {
      poller = startPoller(repository.pollSecs * 1000, pollOnce);
    }
  }

  /** One poll: new model folders join (wanted), then every wanted repository model resyncs. */
  async function pollOnce(): Promise<void> {
    let names: string[];
    try {
      names = await listRepositoryModels(repository!.dir);
    } catch (error) {
      log('error', `cannot scan the model repository: ${(error as Error).message}`);
      return;
    }
    for (const name of names) if (!entries.has(name)) addEntry(repositorySource(name), true);
    const polled = [...entries.values()].filter((e) => e.wanted && e.source.kind === 'repository');
    await Promise.all(
      polled.map((e) => e.sync(true).catch((error: Error) => log('error', `model "${e.name}": ${error.message}`))),
    );
  }

  function entryOf(name: string): ModelEntry {
    const entry = entries.get(name);
    if (entry === undefined) {
      throw new OxvError('ERR_MODEL_NOT_FOUND', `unknown model "${name}"`, { details: { model: name } });
    }
    return entry;
  }

  function slotOf(entry: ModelEntry, version: string): VersionSlot {
    const slot = entry.slot(version);
    if (slot === undefined) {
      throw new OxvError('ERR_MODEL_NOT_FOUND', `model "${entry.name}" has no version "${version}"`, {
        details: { model: entry.name, version },
      });
    }
    return slot;
  }

  function refuse(entry: ModelEntry, version: string, error: OxvError, protocol: string | undefined): Promise<never> {
    events.emit('request', {
      ...(protocol === undefined ? {} : { protocol }),
      model: entry.name,
      version,
      ok: false,
      reason: error.code,
      queueMs: 0,
      computeMs: 0,
      totalMs: 0,
    });
    return Promise.reject(error);
  }

  function closeAll(): Promise<void> {
    closing ??= (async () => {
      draining = true;
      closed = true;
      await poller?.stop();
      const error = new OxvError('ERR_SHUTTING_DOWN', 'the server is shutting down');
      await Promise.all([...live].map((g) => g.close(error)));
      await Promise.all([...entries.values()].map((e) => e.settled()));
      // A load that was warming up has closed its own generation by now (it checks isClosed); this is a backstop.
      await Promise.all([...live].map((g) => g.close(error)));
      log('info', 'model manager closed');
    })();
    return closing;
  }

  return {
    start: () => (starting ??= startNow()),
    list: () => [...entries.values()].sort((a, b) => a.name.localeCompare(b.name)).flatMap(statusesOf),
    metadata(name, version) {
      const entry = entryOf(name);
      const slot =
        version !== undefined && version !== ''
          ? slotOf(entry, version)
          : (entry.servingSlot() ?? entry.slots().at(-1));
      return { ...metadataOf(entry, slot), file: slot === undefined ? null : entry.loadedFile(slot.version) };
    },
    infer(name, version, request): Promise<InferResult> {
      let entry: ModelEntry;
      let slot: VersionSlot | undefined;
      try {
        entry = entryOf(name);
        if (version !== undefined && version !== '') slot = slotOf(entry, version);
      } catch (error) {
        return Promise.reject(error);
      }
      const label = slot?.version ?? entry.servingSlot()?.version ?? '';
      if (draining) {
        return refuse(
          entry,
          label,
          new OxvError('ERR_SHUTTING_DOWN', 'the server is shutting down; no new requests'),
          request.protocol,
        );
      }
      const named = slot !== undefined;
      slot ??= entry.servingSlot();
      if (slot === undefined || slot.state !== 'READY' || slot.gen === undefined) {
        // With no version named, explain with the newest version's state (what the caller most likely wants).
        const shown = slot ?? entry.slots().at(-1);
        const state = shown === undefined ? 'UNAVAILABLE' : `version ${shown.version} is ${shown.state}`;
        const why = [state, shown?.reason ?? entry.lastLoadError].filter(Boolean).join(': ');
        const what = named ? `model "${name}" is not ready` : `model "${name}" has no ready version`;
        return refuse(
          entry,
          label,
          new OxvError('ERR_MODEL_NOT_READY', `${what} (${why})`, {
            details: { model: name, version: shown?.version ?? '', state: shown?.state ?? 'UNAVAILABLE' },
          }),
          request.protocol,
        );
      }
      // No await between choosing the generation and submitting: a swap cannot slip in between.
      return slot.gen.infer(request);
    },
    async load(name) {
      if (draining) throw new OxvError('ERR_SHUTTING_DOWN', 'the server is shutting down');
      await starting;
      // A model folder added after start (the usual case in explicit mode) becomes known here.
      if (!entries.has(name) && repository !== null && (await listRepositoryModels(repository.dir)).includes(name)) {
        if (!entries.has(name)) addEntry(repositorySource(name), false);
      }
      await entryOf(name).load();
    },
    async unload(name) {
      await entryOf(name).unload();
    },
    // Triton's strict readiness: every model meant to be served has a READY version. Models unloaded by
    // request, not yet loaded (explicit mode) or without any version on disk do not count.
    isReady: () =>
      started &&
      !draining &&
      [...entries.values()].every((e) => !e.wanted || !e.present() || e.servingSlot() !== undefined),
    stats(name, version) {
      if (name === undefined) return [...entries.values()].flatMap((e) => statsOf(e));
      const entry = entryOf(name);
      if (version === undefined || version === '') return statsOf(entry);
      return [slotOf(entry, version).stats.snapshot(entry.name, version)];
    },
    async drain(timeoutMs) {
      if (typeof timeoutMs !== 'number' || !(timeoutMs >= 0))
        throw new RangeError(`timeoutMs must be a number ≥ 0, got ${JSON.stringify(timeoutMs)}`);
      draining = true;
      await poller?.stop();
      let timer: ReturnType<typeof setTimeout> | undefined;
      const deadline = new Promise<void>((resolve) => (timer = setTimeout(resolve, timeoutMs)));
      await Promise.race([Promise.all([...live].map((g) => g.whenIdle())), deadline]);
      clearTimeout(timer);
      await closeAll();
    },
    close: closeAll,
    on: (event, listener) => events.on(event, listener),
  };
}
