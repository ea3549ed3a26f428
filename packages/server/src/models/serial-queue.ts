/**
 * Runs tasks one after another in call order; a failed task does not stall the queue. Loads, reloads and
 * unloads of one model go through one of these, so a poll never races an explicit load().
 */
export interface SerialQueue {
  <T>(task: () => Promise<T>): Promise<T>;
  /** Resolves once every task queued so far has settled. */
  settled(): Promise<void>;
}

export function createSerialQueue(): SerialQueue {
  let tail: Promise<unknown> = Promise.resolve();
  const run = <T>(task: () => Promise<T>): Promise<T> => {
    const result = tail.then(task, task);
    tail = result.catch(() => undefined);
    return result;
  };
  return Object.assign(run, { settled: () => tail.then(() => undefined) });
}
