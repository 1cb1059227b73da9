import type { RunStatus } from "@labtrack/schemas";
import { TRPCError } from "@trpc/server";
import { eq } from "drizzle-orm";
import type { Database } from "../db/client.ts";
import { runs } from "../db/schema.ts";
import type { RunService } from "./runs.ts";

/**
 * A run created by a script has no runner to stop it: when it is canceled it waits in `canceling`
 * until its script next reports (metrics, logs), which ends it `canceled` and answers with that
 * status so the client can stop. A script that never reports again is ended by the lease reaper.
 */
export function createScriptCancel(database: Database, runService: RunService) {
  /** The run's status once this report is taken into account. */
  async function statusAfterReport(runId: string, actor: string): Promise<RunStatus> {
    const rows = await database.db
      .select({ status: runs.status, runnerId: runs.runnerId })
      .from(runs)
      .where(eq(runs.id, runId));
    const row = rows[0];
    const status = (row?.status ?? "running") as RunStatus;
    if (!row || status !== "canceling" || row.runnerId !== null) return status;
    try {
      const ended = await runService.transition(runId, "canceled", {
        actor,
        reason: "its script was told of the cancel; the cancel is complete",
        expect: ["canceling"],
        changes: { finishedAt: new Date(), leaseExpiresAt: null },
      });
      return ended.status;
    } catch (error) {
      // Ended meanwhile (the reaper, or another report): answer with what it is now.
      if (error instanceof TRPCError && error.code === "CONFLICT")
        return (await runService.get(runId)).status;
      throw error;
    }
  }
  return { statusAfterReport };
}
export type ScriptCancel = ReturnType<typeof createScriptCancel>;
