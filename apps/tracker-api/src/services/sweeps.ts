import { randomUUID } from "node:crypto";
import { sweepBudget } from "@labtrack/core";
import {
  type Sweep,
  type SweepConfig,
  type SweepRunEntry,
  type SweepStatus,
  sweepConfig,
  type sweepsCreateInput,
  type sweepsListInput,
} from "@labtrack/schemas";
import { TRPCError } from "@trpc/server";
import { sql } from "drizzle-orm";
import type { z } from "zod";
import type { Database } from "../db/client.ts";
import { textArrayLiteral } from "../db/pg-array.ts";
import type { ProjectService } from "./projects.ts";
import type { QueueService } from "./queue.ts";
import { SWEEP_LOCK_CLASS, type SweepController } from "./sweep-controller.ts";
import { loadSweepRuns, sweepProgress, sweepRunEntry } from "./sweep-runs.ts";

interface SweepRow extends Record<string, unknown> {
  id: string;
  project: string;
  name: string;
  method: string;
  status: string;
  config: unknown;
  created_at: string | Date;
  finished_at: string | Date | null;
}

const SELECT = sql`SELECT s.id::text AS id, p.slug AS project, s.name, s.method, s.status, s.config,
  s.created_at, s.finished_at FROM sweeps s JOIN projects p ON p.id = s.project_id`;

/** Sweeps: stored, listed, paused, resumed and canceled; the controller does the sampling. */
export function createSweepService(
  database: Database,
  projects: ProjectService,
  queue: QueueService,
  controller: SweepController,
) {
  async function toSweep(row: SweepRow): Promise<Sweep & { runs: SweepRunEntry[] }> {
    const config: SweepConfig = sweepConfig.parse(row.config);
    const runs = await loadSweepRuns(database, row.id, config);
    return {
      id: row.id,
      project: row.project,
      name: row.name,
      method: config.method,
      status: row.status as SweepStatus,
      config,
      createdAt: new Date(row.created_at).toISOString(),
      finishedAt: row.finished_at === null ? null : new Date(row.finished_at).toISOString(),
      progress: sweepProgress(runs, sweepBudget(config)),
      runs: runs.map(sweepRunEntry),
    };
  }

  async function findRow(sweepId: string): Promise<SweepRow> {
    const [row] = await database.query<SweepRow>(sql`${SELECT} WHERE s.id = ${sweepId}`);
    if (!row) throw new TRPCError({ code: "NOT_FOUND", message: `sweepId: no sweep ${sweepId}` });
    return row;
  }

  /** The project a sweep belongs to (NOT_FOUND when there is no such sweep), for access checks. */
  async function projectOf(sweepId: string): Promise<string> {
    return (await findRow(sweepId)).project;
  }

  /** Stores the sweep and queues its first runs, in the caller's transaction. */
  async function create(input: z.output<typeof sweepsCreateInput>, actor: string) {
    const projectId = await projects.ensureId(input.project);
    const id = randomUUID();
    await database.query(sql`
      INSERT INTO sweeps (id, project_id, name, method, status, config, created_by)
      VALUES (${id}, ${projectId}, ${input.config.name}, ${input.config.method}, 'running',
        ${JSON.stringify(input.config)}::jsonb, ${actor})`);
    await controller.step(id);
    return get(id);
  }

  async function get(sweepId: string) {
    return toSweep(await findRow(sweepId));
  }

  async function list(input: z.output<typeof sweepsListInput>, allowed: readonly string[] | null) {
    const where = [
      input.project === undefined ? null : sql`p.slug = ${input.project}`,
      allowed === null ? null : sql`p.slug = ANY(${textArrayLiteral(allowed)}::text[])`,
    ].filter((w) => w !== null);
    const rows = await database.query<SweepRow>(
      sql`${SELECT} ${where.length ? sql`WHERE ${sql.join(where, sql` AND `)}` : sql``}
        ORDER BY s.created_at DESC LIMIT ${input.limit}`,
    );
    return Promise.all(rows.map(async (r) => ({ ...(await toSweep(r)), runs: undefined })));
  }

  /** Changes the sweep's status under its lock, so a controller pass never sees half of it. */
  async function setStatus(sweepId: string, to: SweepStatus, from: SweepStatus[]) {
    await database.query(sql`SELECT pg_advisory_xact_lock(${SWEEP_LOCK_CLASS}::int, hashtext(${sweepId}))`);
    const row = await findRow(sweepId);
    if (!from.includes(row.status as SweepStatus)) {
      throw new TRPCError({
        code: "CONFLICT",
        message: `status: sweep ${sweepId} is ${row.status}; only a ${from.join(" or ")} sweep can be made ${to}`,
      });
    }
    await database.query(sql`UPDATE sweeps SET status = ${to}, updated_at = now(),
      finished_at = ${to === "canceled" ? sql`now()` : sql`finished_at`} WHERE id = ${sweepId}`);
    return row;
  }

  /** No new runs until resumed; the ones queued or running go on. */
  async function pause(sweepId: string) {
    await setStatus(sweepId, "paused", ["running"]);
    return get(sweepId);
  }

  async function resume(sweepId: string) {
    await setStatus(sweepId, "running", ["paused"]);
    await controller.step(sweepId);
    return get(sweepId);
  }

  /** Stops the sweep and cancels its queued and running runs (in the same transaction). */
  async function cancel(sweepId: string, actor: string) {
    const row = await setStatus(sweepId, "canceled", ["running", "paused"]);
    const runs = await loadSweepRuns(database, sweepId, sweepConfig.parse(row.config));
    for (const run of runs) {
      if (run.status === "queued" || run.status === "running") {
        await queue.cancel(run.id, actor, `sweep ${row.name} canceled`);
      }
    }
    return get(sweepId);
  }

  return { create, get, list, pause, resume, cancel, projectOf };
}
export type SweepService = ReturnType<typeof createSweepService>;
