import type { ManagerEvents } from './types.js';

export interface Emitter {
  on<E extends keyof ManagerEvents>(event: E, listener: ManagerEvents[E]): void;
  emit<E extends keyof ManagerEvents>(event: E, payload: Parameters<ManagerEvents[E]>[0]): void;
}

/**
 * A tiny typed emitter. A listener that throws must not corrupt the batcher's bookkeeping halfway through
 * a batch, so its error is rethrown on a later tick (an uncaught exception, as with any broken listener)
 * instead of into the code that emitted.
 */
export function createEmitter(): Emitter {
  const listeners = new Map<keyof ManagerEvents, Set<(payload: never) => void>>();
  return {
    on(event, listener) {
      let set = listeners.get(event);
      if (set === undefined) listeners.set(event, (set = new Set()));
      set.add(listener as (payload: never) => void);
    },
    emit(event, payload) {
      for (const listener of listeners.get(event) ?? []) {
        try {
          (listener as (p: typeof payload) => void)(payload);
        } catch (error) {
          setImmediate(() => {
            throw error;
          });
        }
      }
    },
  };
}
