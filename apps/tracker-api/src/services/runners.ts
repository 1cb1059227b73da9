import { randomUUID } from "node:crypto";
import type {
  ClaimedRun,
  GpuStats,
  Run,
  RunnersHeartbeatOutput,
  RunStatus,
  runnersRegisterInput,
  runnersReportInput,
} from "@labtrack/schemas";
import { TRPCError } from "@trpc/server";
import { eq, sql } from "drizzle-orm";
import type { z } from "zod";
import type { Database } from "../db/client.ts";
import { textArrayLiteral } from "../db/pg-array.ts";
import { runners } from "../db/schema.ts";
import { recoverLostRun } from "./lease-reaper.ts";
import type { QueueService } from "./queue.ts";
import { listRunners } from "./runner-list.ts";
import {
  checkActsAs,
  offerFor,
  RememberedRegistrations,
  type RunnerCaller,
  type RunnerRow,
  unknownRunner,
} from "./runner-registration.ts";
import type { RunService } from "./runs.ts";

export interface QueueSettings {
  /** How long a claimed run stays held without a heartbeat. */
  leaseMs: number;
  /** How often runners should heartbeat (told to them at registration). */
  heartbeatMs: number;
  /** How often the reaper looks for expired leases. */
  reaperIntervalMs: number;
}

export const DEFAULT_QUEUE_SETTINGS: QueueSettings = {
  leaseMs: 30_000,
  heartbeatMs: 5_000,
  reaperIntervalMs: 2_000,
};

export function createRunnerService(
  database: Database,
  runService: RunService,
  queue: QueueService,
  settings: QueueSettings,
) {
  const { db } = database;
  /** Claims waiting in this process, per runner, so a runner that says goodbye is answered at once. */
  const waitingClaims = new Map<string, Set<AbortController>>();

  async function requireRunner(runnerId: string): Promise<RunnerRow> {
    const rows = await db.select().from(runners).where(eq(runners.id, runnerId));
    return rows[0] ?? unknownRunner(runnerId);
  }

  /** The runner registration, when `caller` registered it (or is an admin); FORBIDDEN otherwise. */
  async function requireOwnRunner(runnerId: string, caller: RunnerCaller): Promise<RunnerRow> {
    return checkActsAs(await requireRunner(runnerId), caller);
  }

  /** Registrations claims have read, by id (see runner-registration.ts). */
  const registrations = new RememberedRegistrations();
  /** The registration a claim acts for: remembered, or read (and remembered when not stopped). */
  async function claimingRunner(runnerId: string, caller: RunnerCaller | undefined) {
    const known = registrations.get(runnerId);
    if (known) return { runner: checkActsAs(known, caller), remembered: true };
    // The caller, when given, must have registered the runner (one read checks both).
    const runner = checkActsAs(await requireRunner(runnerId), caller);
    registrations.remember(runner);
    return { runner, remembered: false };
  }

  /**
   * Registers (or re-registers) a runner by name; runs its previous session held are recovered.
   * A name already registered with another live token is refused: only that token (or an admin)
   * may take it over; once that token is revoked the name is free for a new one.
   */
  async function register(input: z.output<typeof runnersRegisterInput>, caller: RunnerCaller) {
    const id = randomUUID();
    const values = {
      id,
      name: input.name,
      tokenId: caller.tokenId,
      hostname: input.capabilities.hostname,
      capabilities: input.capabilities,
      labels: input.capabilities.labels,
      queues: input.queues,
      slots: input.slots,
      gpuStats: [],
      registeredAt: new Date(),
      lastSeenAt: new Date(),
      stoppedAt: null,
    };
    const { id: _id, name: _name, ...changes } = values;
    const mayTakeOver =
      caller.scope === "admin"
        ? sql`true`
        : sql`(${runners.tokenId} = ${caller.tokenId} OR EXISTS (
            SELECT 1 FROM api_tokens t WHERE t.id = ${runners.tokenId} AND t.revoked_at IS NOT NULL))`;
    const written = await db
      .insert(runners)
      .values(values)
      .onConflictDoUpdate({ target: runners.name, set: { ...changes, id }, setWhere: mayTakeOver })
      .returning({ id: runners.id });
    if (written.length === 0) {
      throw new TRPCError({
        code: "FORBIDDEN",
        message: `name: runner ${input.name} is registered with another token; pick another name, or revoke that token first`,
      });
    }
    // A runner that restarts under the same name cannot be running its old session's runs.
    const stale = await database.query<{
      id: string;
      status: string;
      attempt: number;
      max_attempts: number;
    }>(sql`
      SELECT id::text AS id, status, attempt, max_attempts FROM runs
      WHERE runner = ${input.name} AND runner_id IS DISTINCT FROM ${id}::uuid AND status IN ('running', 'canceling')`);
    for (const run of stale) {
      const outcome = await recoverLostRun(
        runService,
        {
          id: run.id,
          status: run.status as RunStatus,
          attempt: Number(run.attempt),
          maxAttempts: Number(run.max_attempts),
          runner: input.name,
        },
        `runner ${input.name} restarted`,
      );
      if (outcome === "queued") await queue.signal.announce();
    }
    return { runnerId: id, leaseMs: settings.leaseMs, heartbeatMs: settings.heartbeatMs };
  }

  /**
   * Claims a run for one free slot, waiting up to `waitMs` for one to be queued; only runs of
   * `projects` (those the runner's token may write) when given, and only for a runner `caller`
   * registered when given.
   */
  async function claim(
    input: { runnerId: string; slot: number; waitMs: number },
    abort?: AbortSignal,
    projects: readonly string[] | null = null,
    caller?: RunnerCaller,
  ): Promise<ClaimedRun | null> {
    let { runner, remembered } = await claimingRunner(input.runnerId, caller);
    const offer = offerFor(runner, input.slot, projects);
    const holder = {
      runnerId: runner.id,
      runnerName: runner.name,
      slot: input.slot,
      leaseMs: settings.leaseMs,
    };
    if (runner.stoppedAt !== null) return null;
    const deadline = Date.now() + input.waitMs;
    const controller = new AbortController();
    abort?.addEventListener("abort", () => controller.abort(), { once: true });
    const waiting = waitingClaims.get(runner.id) ?? new Set();
    waitingClaims.set(runner.id, waiting.add(controller));
    try {
      for (;;) {
        const seen = queue.signal.version;
        const run = await queue.claim(offer, holder);
        if (run) return run;
        if (remembered) {
          // No run: perhaps none is queued, perhaps the registration is gone (NOT_FOUND, so the
          // runner registers again) or stopped. Read it to say which.
          registrations.forget(runner.id);
          ({ runner, remembered } = await claimingRunner(input.runnerId, caller));
          if (runner.stoppedAt !== null) return null;
        }
        const left = deadline - Date.now();
        if (left <= 0 || controller.signal.aborted) return null;
        // Enqueues on any API process wake this (NOTIFY); looking again every second covers one
        // that was missed while this process's listening connection was down.
        await queue.signal.wait(seen, Math.min(left, 1_000), controller.signal);
        if (controller.signal.aborted) return null;
      }
    } finally {
      waiting.delete(controller);
      if (waiting.size === 0) waitingClaims.delete(runner.id);
    }
  }

  /** Extends the leases of the runs the runner still holds; says which to cancel or drop. */
  async function heartbeat(input: {
    runnerId: string;
    runIds: string[];
    gpus: GpuStats[];
  }): Promise<RunnersHeartbeatOutput> {
    const touched = await db
      .update(runners)
      .set({ lastSeenAt: new Date(), gpuStats: input.gpus })
      .where(eq(runners.id, input.runnerId))
      .returning({ id: runners.id });
    if (touched.length === 0) unknownRunner(input.runnerId);
    if (input.runIds.length === 0) return { cancel: [], release: [] };
    const held = await database.query<{ id: string; status: string }>(sql`
      UPDATE runs SET lease_expires_at = now() + ${`${settings.leaseMs} milliseconds`}::interval, heartbeat_at = now()
      WHERE runner_id = ${input.runnerId}::uuid AND id = ANY(${textArrayLiteral(input.runIds)}::uuid[])
        AND status IN ('running', 'canceling')
      RETURNING id::text AS id, status`);
    const heldIds = new Set(held.map((r) => r.id));
    return {
      cancel: held.filter((r) => r.status === "canceling").map((r) => r.id),
      release: input.runIds.filter((id) => !heldIds.has(id)),
    };
  }

  /** The runner's verdict on a run it holds. Re-sending the same verdict is harmless. */
  async function report(input: z.output<typeof runnersReportInput>): Promise<Run> {
    const runner = await requireRunner(input.runnerId);
    const row = await runService.findRow(input.runId);
    if (!row) throw new TRPCError({ code: "NOT_FOUND", message: `runId: no run with id ${input.runId}` });
    const actor = `runner:${runner.name}`;
    const finalFor: Record<string, RunStatus> = {
      succeeded: "succeeded",
      failed: "failed",
      canceled: "canceled",
    };
    if (row.runnerId !== runner.id) {
      // Already settled by this runner's earlier (replayed) report: answer as before.
      if (row.status === finalFor[input.outcome] && row.runner === runner.name) return runService.get(row.id);
      throw new TRPCError({
        code: "CONFLICT",
        message: `runId: run ${input.runId} is not held by runner ${runner.name} (it is ${row.status})`,
      });
    }
    if (input.exitCode !== undefined && input.exitCode !== null) {
      await runService.setResults(row.id, { exit_code: input.exitCode });
    }
    const held = ["running", "canceling"] as RunStatus[];
    if (input.outcome === "requeue" && row.status === "running") {
      const run = await runService.transition(row.id, "queued", {
        actor,
        reason: `handed back by ${runner.name} (shutting down); attempt ${row.attempt + 1} will resume it`,
        expect: ["running"],
        changes: {
          runner: null,
          runnerId: null,
          runnerSlot: null,
          leaseExpiresAt: null,
          attempt: row.attempt + 1,
        },
      });
      await queue.signal.announce();
      return run;
    }
    // A run being canceled ends canceled whatever its process did last.
    const to: RunStatus =
      row.status === "canceling"
        ? "canceled"
        : input.outcome === "requeue"
          ? "failed"
          : finalFor[input.outcome]!;
    if (to === "canceled" && row.status === "running") {
      await runService.transition(row.id, "canceling", {
        actor,
        reason: "stopped by its runner",
        expect: ["running"],
      });
    }
    return runService.transition(row.id, to, {
      actor,
      reason:
        input.error ??
        (to === "succeeded" ? null : `${input.outcome} (exit code ${input.exitCode ?? "none"})`),
      expect: to === "canceled" ? ["canceling"] : held,
      changes: {
        finishedAt: new Date(),
        leaseExpiresAt: null,
        runnerId: null,
        error: to === "failed" ? (input.error ?? `exit code ${input.exitCode ?? "none"}`) : null,
      },
    });
  }

  /** A runner shutting down says goodbye, so it shows offline at once. */
  async function stop(runnerId: string): Promise<void> {
    await db.update(runners).set({ stoppedAt: new Date() }).where(eq(runners.id, runnerId));
    registrations.forget(runnerId);
    for (const controller of waitingClaims.get(runnerId) ?? []) controller.abort();
  }

  const list = (includeOffline: boolean) => listRunners(database, settings, includeOffline);

  return { register, claim, heartbeat, report, stop, list, requireRunner, requireOwnRunner };
}
export type RunnerService = ReturnType<typeof createRunnerService>;
