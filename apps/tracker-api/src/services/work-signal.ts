/**
 * Wakes long-polling claims when a run is queued. A waiter that read `version` before trying to
 * claim returns at once if work was queued in between, so no notification is missed.
 */
export class WorkSignal {
  private counter = 0;
  private readonly waiters = new Set<() => void>();

  get version(): number {
    return this.counter;
  }

  notify(): void {
    this.counter += 1;
    for (const wake of this.waiters) wake();
    this.waiters.clear();
  }

  /** Resolves on the next notification after `seenVersion`, after `ms`, or when `signal` aborts. */
  wait(seenVersion: number, ms: number, signal?: AbortSignal): Promise<void> {
    if (this.counter !== seenVersion || ms <= 0 || signal?.aborted) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.waiters.delete(done);
        signal?.removeEventListener("abort", done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.waiters.add(done);
      signal?.addEventListener("abort", done, { once: true });
    });
  }
}
