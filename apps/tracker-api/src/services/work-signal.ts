import { sql } from "drizzle-orm";
import type { Database } from "../db/client.ts";

/** Postgres channel on which every API process hears that work was queued (empty payload). */
const WORK_CHANNEL = "labtrack_work_queued";

/**
 * Wakes long-polling claims when a run is queued, on every API process of the database. A waiter
 * that read `version` before trying to claim returns at once if work was queued in between, so no
 * notification is missed.
 */
export class WorkSignal {
  private counter = 0;
  private readonly waiters = new Set<() => void>();

  constructor(private readonly database: Database) {}

  get version(): number {
    return this.counter;
  }

  /** Wakes this process's waiting claims. */
  notify(): void {
    this.counter += 1;
    for (const wake of this.waiters) wake();
    this.waiters.clear();
  }

  /**
   * Tells every API process that work was queued: a NOTIFY that commits with the caller's
   * transaction (claims elsewhere then see the run), and this process's claims after the commit.
   */
  async announce(): Promise<void> {
    await this.database.query(sql`SELECT pg_notify(${WORK_CHANNEL}, '')`);
    this.database.afterCommit(() => this.notify());
  }

  /**
   * Follows `announce` from every process; resolves with a stop function. Each (re)connection of
   * the listening connection wakes the claims too, as work may have been queued while it was down.
   */
  watch(): Promise<() => Promise<void>> {
    return this.database.listen(
      WORK_CHANNEL,
      () => this.notify(),
      () => this.notify(),
    );
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
