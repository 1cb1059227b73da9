import type { Logger } from "pino";
import type { Database, HeldLock } from "../db/client.ts";
import { reapExpiredLeases } from "./lease-reaper.ts";
import type { LiveEventBus } from "./live-events.ts";
import type { RunService } from "./runs.ts";
import type { WorkSignal } from "./work-signal.ts";

/** Session advisory lock held by the one API process that does the once-per-cluster work. */
export const CLUSTER_DUTIES_LOCK = 0x4c54_4344; // "LTCD"
/** Stored live events are pruned this often (the resume window is minutes long). */
const PRUNE_EVERY_MS = 30_000;

export interface ClusterDutiesOptions {
  database: Database;
  runs: RunService;
  signal: WorkSignal;
  bus: LiveEventBus;
  log: Logger;
  intervalMs: number;
  /**
   * No reaping until the API has been up this long, so runners that kept working while it was
   * down get a chance to heartbeat before their leases are judged.
   */
  startupGraceMs: number;
}

export interface ClusterDuties {
  /** Whether this process holds the duties now. */
  readonly held: boolean;
  stop(): Promise<void>;
}

/**
 * The work that must happen once per cluster (the lease reaper, pruning stored live events) is
 * done by whichever API process holds a session advisory lock, on a connection of its own. Every
 * `intervalMs` the others try to take it: when the holder dies, or its connection does, Postgres
 * frees the lock and another process takes over within one interval (well within a lease).
 */
export function startClusterDuties(opts: ClusterDutiesOptions): ClusterDuties {
  const startedAt = Date.now();
  let lock: HeldLock | null = null;
  let running: Promise<void> | null = null;
  let stopped = false;
  let prunedAt = 0;

  async function tick(): Promise<void> {
    if (lock && !(await lock.alive())) {
      opts.log.warn("lost the once-per-cluster lock (database connection gone); trying to take it again");
      await lock.release();
      lock = null;
    }
    if (!lock) {
      lock = await opts.database.tryHoldLock(CLUSTER_DUTIES_LOCK);
      if (!lock) return;
      opts.log.info("this process now does the once-per-cluster work (lease reaper, live event pruning)");
    }
    if (Date.now() - startedAt >= opts.startupGraceMs) {
      const recovered = await reapExpiredLeases(opts.database, opts.runs, opts.signal);
      if (recovered > 0) opts.log.info({ recovered }, "recovered runs whose lease expired");
    }
    if (Date.now() - prunedAt >= PRUNE_EVERY_MS) {
      prunedAt = Date.now();
      const pruned = await opts.bus.prune();
      if (pruned > 0) opts.log.debug({ pruned }, "pruned live events older than the resume window");
    }
  }

  const timer = setInterval(() => {
    if (stopped || running) return;
    running = tick()
      .catch((error: unknown) => opts.log.error({ err: error }, "once-per-cluster work failed"))
      .finally(() => {
        running = null;
      });
  }, opts.intervalMs);
  timer.unref();

  return {
    get held() {
      return lock !== null;
    },
    async stop() {
      stopped = true;
      clearInterval(timer);
      await running;
      await lock?.release();
      lock = null;
    },
  };
}
