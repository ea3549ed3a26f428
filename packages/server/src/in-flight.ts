/** Counts requests handed to the model manager, so shutdown can wait until every accepted one is answered. */
export interface InFlight {
  readonly count: number;
  /** Marks one request as started; call the returned function once it has settled. */
  enter(): () => void;
  /** Resolves when nothing is in flight (at once if nothing is). */
  whenIdle(): Promise<void>;
}

export function createInFlight(): InFlight {
  let count = 0;
  let waiters: (() => void)[] = [];
  return {
    get count() {
      return count;
    },
    enter() {
      count++;
      let left = false;
      return () => {
        if (left) return;
        left = true;
        count--;
        if (count === 0) {
          for (const wake of waiters) wake();
          waiters = [];
        }
      };
    },
    whenIdle: () => (count === 0 ? Promise.resolve() : new Promise<void>((resolve) => waiters.push(resolve))),
  };
}
