import { OxvError } from './errors.js';
import { firstLine, formatNames } from './internal/format.js';
import type { ModelSource, Runner, RunnerOptions } from './runner.js';

export interface BackendAvailability {
  available: boolean;
  /** Why not, when unavailable: printed to users, so say what to install or enable. */
  reason?: string;
}

/**
 * A runtime that can turn a model into a Runner. Platform entry points (`/node`, `/web`) register theirs;
 * createRunner picks by name or by priority, as onnxruntime-common does with its backends.
 */
export interface Backend {
  name: string;
  priority: number;
  isAvailable(): Promise<BackendAvailability>;
  create(source: ModelSource, options?: RunnerOptions): Promise<Runner>;
}

export type CreateRunnerOptions = { backend?: string } & RunnerOptions;

const registry = new Map<string, Backend>();

/**
 * Adds a backend. Registering another object under a taken name replaces the old one (last wins), so a
 * host can swap in its own implementation; registering the same object again is a no-op.
 */
export function registerBackend(backend: Backend): void {
  if (typeof backend !== 'object' || backend === null) throw new TypeError('backend must be an object');
  if (typeof backend.name !== 'string' || backend.name === '') {
    throw new TypeError('backend.name must be a non-empty string');
  }
  if (typeof backend.priority !== 'number' || !Number.isFinite(backend.priority)) {
    throw new RangeError(`backend.priority must be a finite number, got ${String(backend.priority)}`);
  }
  if (typeof backend.isAvailable !== 'function' || typeof backend.create !== 'function') {
    throw new TypeError('backend must implement isAvailable() and create()');
  }
  registry.set(backend.name, backend);
}

/** Registered backends, highest priority first (ties keep registration order). */
export function listBackends(): Backend[] {
  return [...registry.values()].sort((a, b) => b.priority - a.priority);
}

export function getBackend(name: string): Backend | undefined {
  return registry.get(name);
}

/**
 * Creates a Runner on the named backend, or on the highest-priority backend that reports itself available.
 * It never falls back after create() fails: a bad model would fail on every backend, and silently switching
 * runtimes would hide the real error.
 */
export async function createRunner(source: ModelSource, options: CreateRunnerOptions = {}): Promise<Runner> {
  const { backend: name, ...runnerOptions } = options;
  if (name !== undefined) {
    const backend = registry.get(name);
    if (backend === undefined) {
      throw new OxvError(
        'ERR_BACKEND_UNAVAILABLE',
        `unknown backend "${name}"; registered backends: ${formatNames([...registry.keys()])}`,
        { hint: REGISTER_HINT, details: { backend: name, registered: [...registry.keys()] } },
      );
    }
    const availability = await checkAvailability(backend);
    if (!availability.available) {
      throw new OxvError('ERR_BACKEND_UNAVAILABLE', `backend "${name}" is not available here: ${availability.reason}`, {
        details: { backend: name },
      });
    }
    return backend.create(source, runnerOptions);
  }

  const reasons: string[] = [];
  for (const backend of listBackends()) {
    const availability = await checkAvailability(backend);
    if (availability.available) return backend.create(source, runnerOptions);
    reasons.push(`${backend.name} (${availability.reason})`);
  }
  const message =
    reasons.length === 0 ? 'no runtime backend is registered' : `no available runtime backend: ${reasons.join('; ')}`;
  throw new OxvError('ERR_BACKEND_UNAVAILABLE', message, { hint: REGISTER_HINT });
}

const REGISTER_HINT =
  "call registerNodeBackend() from '@oxidizedvision/runtime/node' or registerWebBackend() from '@oxidizedvision/runtime/web' first";

async function checkAvailability(backend: Backend): Promise<Required<BackendAvailability>> {
  try {
    const result = await backend.isAvailable();
    return { available: result.available, reason: result.reason ?? 'no reason given' };
  } catch (error) {
    return { available: false, reason: `availability check failed: ${firstLine(error)}` };
  }
}
