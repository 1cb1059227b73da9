import type { RunStatus } from "@labtrack/schemas";
import { TRPCError } from "@trpc/server";
import { sql } from "drizzle-orm";
import type { Database } from "../db/client.ts";
import type { RunService } from "./runs.ts";
import type { WorkSignal } from "./work-signal.ts";

export interface HeldRun {
  id: string;
  status: RunStatus;
  attempt: number;
  maxAttempts: number;
  runner: string | null;
}

const released = { runner: null, runnerId: null, runnerSlot: null, leaseExpiresAt: null } as const;

/**
 * A run whose runner is gone: `lost`, then queued again for another attempt, or `failed` once it
 * has used its attempts. A run being canceled simply ends `canceled`. Returns the final status, or
 * null when the run changed under us (another API process, or its runner reported in time).
 */
export async function recoverLostRun(
  runService: RunService,
  run: HeldRun,
  reason: string,
  actor = "lease-reaper",
): Promise<RunStatus | null> {
  try {
    // lost and queued again (or failed) commit together: never a run left `lost` half-way.
    return await runService.inTransaction(async (): Promise<RunStatus> => {
      if (run.status === "canceling") {
        await runService.transition(run.id, "canceled", {
          actor,
          reason: `${reason}; the cancel is complete`,
          expect: ["canceling"],
          changes: { ...released, finishedAt: new Date() },
        });
        return "canceled";
      }
      await runService.transition(run.id, "lost", {
        actor,
        reason,
        expect: ["running"],
        changes: { leaseExpiresAt: null },
      });
      if (run.attempt < run.maxAttempts) {
        await runService.transition(run.id, "queued", {
          actor,
          reason: `queued again for attempt ${run.attempt + 1} of ${run.maxAttempts}`,
          expect: ["lost"],
          changes: { ...released, attempt: run.attempt + 1 },
        });
        return "queued";
      }
      const error = `lost ${run.attempt} time(s); max attempts (${run.maxAttempts}) reached`;
      await runService.transition(run.id, "failed", {
        actor,
        reason: error,
        expect: ["lost"],
        changes: { ...released, error, finishedAt: new Date() },
      });
      return "failed";
    });
  } catch (error) {
    if (error instanceof TRPCError && error.code === "CONFLICT") return null;
    throw error;
  }
}

interface ExpiredRow extends Record<string, unknown> {
  id: string;
  status: string;
  attempt: number;
  max_attempts: number;
  runner: string | null;
}

/** Recovers every run held under a lease that has expired; returns how many were recovered. */
export async function reapExpiredLeases(
  database: Database,
  runService: RunService,
  signal: WorkSignal,
  limit = 100,
): Promise<number> {
  const rows = await database.query<ExpiredRow>(sql`
    SELECT id::text AS id, status, attempt, max_attempts, runner FROM runs
    WHERE status IN ('running', 'canceling') AND lease_expires_at < now()
    ORDER BY lease_expires_at LIMIT ${limit}`);
  let recovered = 0;
  for (const row of rows) {
    const outcome = await recoverLostRun(
      runService,
      {
        id: row.id,
        status: row.status as RunStatus,
        attempt: Number(row.attempt),
        maxAttempts: Number(row.max_attempts),
        runner: row.runner,
      },
      row.runner === null
        ? "its script did not report back after the cancel"
        : `lease expired: runner ${row.runner} stopped sending heartbeats`,
    );
    if (outcome !== null) recovered += 1;
    if (outcome === "queued") await signal.announce();
  }
  return recovered;
}
