export interface Poller {
  /** Stops rescheduling and waits for a scan in progress. */
  stop(): Promise<void>;
}

/**
 * Runs `tick` every `intervalMs`, measured from the end of the previous tick, so a slow scan (a large
 * model warming up) never overlaps the next. The timer is unref'd: polling alone keeps no process alive.
 */
export function startPoller(intervalMs: number, tick: () => Promise<void>): Poller {
  let timer: ReturnType<typeof setTimeout> | undefined;
  let running: Promise<void> | undefined;
  let stopped = false;
  const schedule = (): void => {
    timer = setTimeout(() => {
      running = tick().finally(() => {
        running = undefined;
        if (!stopped) schedule();
      });
    }, intervalMs);
    timer.unref();
  };
  schedule();
  return {
    async stop() {
      stopped = true;
      if (timer !== undefined) clearTimeout(timer);
      await running;
    },
  };
}
