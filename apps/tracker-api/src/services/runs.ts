import { randomUUID } from "node:crypto";
import {
  assertTransition,
  flattenConfig,
  InvalidTransitionError,
  isTerminalStatus,
  parseRunFilter,
} from "@labtrack/core";
import {
  type JsonValue,
  type MetricSummary,
  type Run,
  type RunEvent,
  type RunStatus,
  type runsCreateInput,
  type runsListInput,
  toWireNumber,
} from "@labtrack/schemas";
import { TRPCError } from "@trpc/server";
import { and, eq, getTableColumns, inArray, isNull, type SQL, sql } from "drizzle-orm";
import type { z } from "zod";
import type { Database } from "../db/client.ts";
import { textArrayLiteral } from "../db/pg-array.ts";
import { metricSummaries, projects, runEvents, runs, sweeps } from "../db/schema.ts";
import type { LiveEventBus } from "./live-events.ts";
import type { ProjectService } from "./projects.ts";
import { runPage } from "./run-page.ts";
import { filterToSql } from "./run-query.ts";

type RunRow = typeof runs.$inferSelect & { project: string };

/** What a statement that returned a run row may already know of it (see `rowsToRuns`). */
export interface KnownRunParts {
  /** False when the run has no metric summary. */
  hasSummaries?: boolean;
  /** The run's sweep's name (null: the sweep is gone). */
  sweepName?: string | null;
}

export const runColumns = { ...getTableColumns(runs), project: projects.slug };

/** Everything that may change with a status transition, besides the status itself. */
export type TransitionChanges = Partial<
  Pick<
    typeof runs.$inferInsert,
    | "runner"
    | "runnerId"
    | "runnerSlot"
    | "attempt"
    | "leaseExpiresAt"
    | "heartbeatAt"
    | "error"
    | "startedAt"
    | "finishedAt"
    | "results"
    | "spec"
    | "config"
  >
>;

function toRun(row: RunRow, summary: Record<string, MetricSummary>, sweepName: string | undefined): Run {
  return {
    id: row.id,
    project: row.project,
    name: row.name,
    group: row.group,
    tags: row.tags,
    keyValueTags: row.keyValueTags as Record<string, string>,
    notes: row.notes,
    status: row.status as RunStatus,
    config: row.config as Record<string, JsonValue>,
    summary,
    results: row.results as Record<string, JsonValue>,
    spec: (row.spec ?? null) as JsonValue,
    queue: row.queue,
    priority: row.priority,
    runner: row.runner,
    attempt: row.attempt,
    error: row.error,
    parentRunId: row.parentRunId,
    sweep: row.sweepId === null || sweepName === undefined ? null : { id: row.sweepId, name: sweepName },
    createdAt: row.createdAt.toISOString(),
    startedAt: row.startedAt?.toISOString() ?? null,
    finishedAt: row.finishedAt?.toISOString() ?? null,
    updatedAt: row.updatedAt.toISOString(),
    deletedAt: row.deletedAt?.toISOString() ?? null,
  };
}

/** SQL for the run's key/value tags with `set` merged in, then `remove` taken out, in one expression. */
function keyValueTagsChange(set: Record<string, string>, remove: readonly string[]): SQL {
  const merged = sql`(${runs.keyValueTags} || ${JSON.stringify(set)}::jsonb)`;
  if (remove.length === 0) return merged;
  return sql`${merged} - ${textArrayLiteral([...remove])}::text[]`;
}

function notFound(runId: string): never {
  throw new TRPCError({ code: "NOT_FOUND", message: `runId: no run with id ${runId}` });
}

export function createRunService(database: Database, projectService: ProjectService, bus: LiveEventBus) {
  const { db } = database;

  async function summariesFor(runIds: string[]): Promise<Map<string, Record<string, MetricSummary>>> {
    const byRun = new Map<string, Record<string, MetricSummary>>();
    if (runIds.length === 0) return byRun;
    const rows = await db.select().from(metricSummaries).where(inArray(metricSummaries.runId, runIds));
    for (const r of rows) {
      const summary = byRun.get(r.runId) ?? {};
      summary[r.key] = {
        last: toWireNumber(r.last),
        lastStep: r.lastStep,
        min: r.min === null ? null : toWireNumber(r.min),
        minStep: r.minStep,
        max: r.max === null ? null : toWireNumber(r.max),
        maxStep: r.maxStep,
        count: r.count,
      };
      byRun.set(r.runId, summary);
    }
    return byRun;
  }

  async function sweepNamesFor(sweepIds: string[]): Promise<Map<string, string>> {
    if (sweepIds.length === 0) return new Map();
    const rows = await db
      .select({ id: sweeps.id, name: sweeps.name })
      .from(sweeps)
      .where(inArray(sweeps.id, sweepIds));
    return new Map(rows.map((r) => [r.id, r.name]));
  }

  /**
   * Rows with what the API answers for them. A row may bring what its statement already read
   * (`hasSummaries: false`, its `sweepName`): those lookups are then skipped.
   */
  async function rowsToRuns(rows: (RunRow & KnownRunParts)[]): Promise<Run[]> {
    const unnamed = rows.filter((r) => r.sweepId !== null && r.sweepName === undefined);
    const sweepIds = [...new Set(unnamed.map((r) => r.sweepId!))];
    const summaries = await summariesFor(rows.filter((r) => r.hasSummaries !== false).map((r) => r.id));
    const sweepNames = await sweepNamesFor(sweepIds);
    return rows.map((r) => {
      const sweepName = r.sweepId === null ? undefined : (r.sweepName ?? sweepNames.get(r.sweepId));
      return toRun(r, summaries.get(r.id) ?? {}, sweepName ?? undefined);
    });
  }

  async function findRow(runId: string): Promise<RunRow | undefined> {
    const rows = await db
      .select(runColumns)
      .from(runs)
      .innerJoin(projects, eq(runs.projectId, projects.id))
      .where(eq(runs.id, runId));
    return rows[0];
  }

  /**
   * A run's project never changes and runs are never deleted, so the hot ingest paths
   * (metrics, logs) look it up once per run instead of once per batch.
   */
  const projectByRun = new Map<string, string>();
  async function projectOf(runId: string): Promise<string> {
    const cached = projectByRun.get(runId);
    if (cached !== undefined) return cached;
    const { project } = await requireProject(runId);
    if (projectByRun.size >= 100_000) projectByRun.clear();
    projectByRun.set(runId, project);
    return project;
  }

  async function get(runId: string): Promise<Run> {
    const row = await findRow(runId);
    if (!row) notFound(runId);
    const [run] = await rowsToRuns([row]);
    return run!;
  }

  /** The run's project slug, or a NOT_FOUND error naming `runId`. */
  async function requireProject(runId: string): Promise<{ project: string; status: RunStatus }> {
    const rows = await db
      .select({ project: projects.slug, status: runs.status })
      .from(runs)
      .innerJoin(projects, eq(runs.projectId, projects.id))
      .where(eq(runs.id, runId));
    const row = rows[0];
    if (!row) notFound(runId);
    return { project: row.project, status: row.status as RunStatus };
  }

  async function recordEvent(
    runId: string,
    project: string,
    from: RunStatus | null,
    to: RunStatus,
    actor: string,
    reason: string | null,
  ) {
    await db.insert(runEvents).values({ runId, fromStatus: from, toStatus: to, actor, reason });
    // Subscribers hear of the change once it is committed (the event commits with it), never of a rolled-back one.
    await bus.publish({ kind: "status", runId, project, status: to, reason });
  }

  /**
   * Inserts a new run (its project made on first use), records its first event and returns it.
   * Both ways a run is born go through here: a script's `runs.create` and the queue's `enqueue`.
   */
  async function insertNew(
    input: {
      project: string;
      name?: string | undefined;
      group?: string | undefined;
      tags: string[];
      keyValueTags?: Record<string, string> | undefined;
      notes?: string | undefined;
    },
    row: { status: RunStatus; config: Record<string, JsonValue> } & Partial<typeof runs.$inferInsert>,
    event: { actor: string; reason: string },
  ): Promise<Run> {
    const projectId = await projectService.ensureId(input.project);
    const id = randomUUID();
    const now = new Date();
    await db.insert(runs).values({
      ...row,
      id,
      projectId,
      name: input.name ?? `run-${id.slice(0, 8)}`,
      group: input.group ?? null,
      tags: [...new Set(input.tags)],
      keyValueTags: input.keyValueTags ?? {},
      notes: input.notes ?? null,
      createdAt: now,
      updatedAt: now,
    });
    await recordEvent(id, input.project, null, row.status, event.actor, event.reason);
    return get(id);
  }

  /** Creates an external run (a user's script), which starts out running. */
  function create(input: z.output<typeof runsCreateInput>, actor: string): Promise<Run> {
    return insertNew(
      input,
      { status: "running", config: flattenConfig(input.config), startedAt: new Date() },
      { actor, reason: "created by a script" },
    );
  }

  /**
   * The one place a run changes status: checks the life cycle, writes the change and its event,
   * and tells live subscribers. `expect` guards against races (the status must still be one of them).
   */
  async function transition(
    runId: string,
    to: RunStatus,
    opts: { actor: string; reason?: string | null; changes?: TransitionChanges; expect?: RunStatus[] },
  ): Promise<Run> {
    const { project, status: from } = await requireProject(runId);
    if (opts.expect && !opts.expect.includes(from)) {
      throw new TRPCError({
        code: "CONFLICT",
        message: `status: run ${runId} is ${from}, expected ${opts.expect.join(" or ")}`,
      });
    }
    try {
      assertTransition(from, to);
    } catch (error) {
      if (error instanceof InvalidTransitionError) {
        throw new TRPCError({ code: "CONFLICT", message: `status: ${error.message}` });
      }
      throw error;
    }
    const updated = await db
      .update(runs)
      .set({ ...opts.changes, status: to, updatedAt: new Date() })
      .where(and(eq(runs.id, runId), eq(runs.status, from)))
      .returning({ id: runs.id });
    if (updated.length === 0) {
      throw new TRPCError({ code: "CONFLICT", message: `status: run ${runId} changed concurrently; retry` });
    }
    await recordEvent(runId, project, from, to, opts.actor, opts.reason ?? null);
    return get(runId);
  }

  async function list(
    input: z.output<typeof runsListInput>,
  ): Promise<{ runs: Run[]; nextCursor: string | null; total: number }> {
    const projectId = await projectService.findId(input.project);
    if (projectId === null) return { runs: [], nextCursor: null, total: 0 };
    const conditions: SQL[] = [sql`${runs.projectId} = ${projectId}`, isNull(runs.deletedAt)];
    if (input.status && input.status.length > 0) conditions.push(inArray(runs.status, input.status));
    if (input.group !== undefined) conditions.push(eq(runs.group, input.group));
    if (input.tag !== undefined) conditions.push(sql`${input.tag} = ANY(${runs.tags})`);
    if (input.filter) {
      let expr: ReturnType<typeof parseRunFilter>;
      try {
        expr = parseRunFilter(input.filter);
      } catch (error) {
        throw new TRPCError({ code: "BAD_REQUEST", message: `filter: ${(error as Error).message}` });
      }
      if (expr) conditions.push(sql`COALESCE(${filterToSql(expr)}, false)`);
    }
    const where = and(...conditions);
    // By key, not offset: runs created (or deleted) between two pages shift nothing.
    const page = runPage(input.sort, input.cursor);
    const rows = await db
      .select({ ...runColumns, ...page.keyFields })
      .from(runs)
      .innerJoin(projects, eq(runs.projectId, projects.id))
      .where(page.after ? and(where, page.after) : where)
      .orderBy(page.orderBy)
      .limit(input.limit + 1);
    const counted = await db.select({ n: sql<number>`count(*)::int` }).from(runs).where(where);
    const shown = rows.slice(0, input.limit);
    const last = shown.at(-1);
    return {
      runs: await rowsToRuns(shown),
      nextCursor: rows.length > input.limit && last ? page.cursorAfter(last) : null,
      total: Number(counted[0]?.n ?? 0),
    };
  }

  async function update(input: {
    runId: string;
    name?: string | undefined;
    tags?: string[] | undefined;
    notes?: string | null | undefined;
    setKeyValueTags?: Record<string, string> | undefined;
    deleteKeyValueTags?: string[] | undefined;
    startedAt?: Date | undefined;
    finishedAt?: Date | undefined;
  }): Promise<Run> {
    const { project, status } = await requireProject(input.runId);
    if (input.startedAt !== undefined || input.finishedAt !== undefined) {
      await checkTimeRange(input.runId, status, input.startedAt, input.finishedAt);
    }
    const changesTags = input.setKeyValueTags !== undefined || input.deleteKeyValueTags !== undefined;
    // One statement: every change of the call is applied, or none.
    await db
      .update(runs)
      .set({
        updatedAt: new Date(),
        ...(input.name !== undefined && { name: input.name }),
        ...(input.tags !== undefined && { tags: [...new Set(input.tags)] }),
        ...(input.notes !== undefined && { notes: input.notes }),
        ...(input.startedAt !== undefined && { startedAt: input.startedAt }),
        ...(input.finishedAt !== undefined && { finishedAt: input.finishedAt }),
        ...(changesTags && {
          keyValueTags: keyValueTagsChange(input.setKeyValueTags ?? {}, input.deleteKeyValueTags ?? []),
        }),
      })
      .where(eq(runs.id, input.runId));
    // Open pages of the run (another tab, another user) refetch it; committed with the change.
    const editsDetails = input.name !== undefined || input.tags !== undefined || input.notes !== undefined;
    if (editsDetails || changesTags) await bus.publish({ kind: "details", runId: input.runId, project });
    return get(input.runId);
  }

  /** A run's time range stays ordered, and only a run that has ended has an end. */
  async function checkTimeRange(
    runId: string,
    status: RunStatus,
    startedAt: Date | undefined,
    finishedAt: Date | undefined,
  ): Promise<void> {
    if (finishedAt !== undefined && !isTerminalStatus(status)) {
      throw new TRPCError({
        code: "CONFLICT",
        message: `finishedAt: run ${runId} is ${status}; only a run that has ended has an end time`,
      });
    }
    const row = await findRow(runId);
    const start = startedAt ?? row?.startedAt ?? null;
    const end = finishedAt ?? row?.finishedAt ?? null;
    if (start && end && start.getTime() > end.getTime()) {
      throw new TRPCError({
        code: "BAD_REQUEST",
        message: `${startedAt !== undefined ? "startedAt" : "finishedAt"}: the run would end before it started`,
      });
    }
  }

  /** Merges `tags` into the run's key/value tags (other keys are kept). */
  async function setKeyValueTags(runId: string, tags: Record<string, string>): Promise<Run> {
    return atomic(update)({ runId, setKeyValueTags: tags });
  }

  /** Removes one key/value tag; a key the run does not have is no error. */
  async function deleteKeyValueTag(runId: string, key: string): Promise<Run> {
    return atomic(update)({ runId, deleteKeyValueTags: [key] });
  }

  async function setResults(runId: string, results: Record<string, JsonValue>): Promise<Run> {
    await requireProject(runId);
    const removed = Object.entries(results)
      .filter(([, v]) => v === null)
      .map(([k]) => k);
    const kept = Object.fromEntries(Object.entries(results).filter(([, v]) => v !== null));
    await db
      .update(runs)
      .set({
        results: sql`(${runs.results} || ${JSON.stringify(kept)}::jsonb) - ${`{${removed.map((k) => JSON.stringify(k)).join(",")}}`}::text[]`,
        updatedAt: new Date(),
      })
      .where(eq(runs.id, runId));
    return get(runId);
  }

  async function finish(
    input: {
      runId: string;
      status: "succeeded" | "failed";
      error?: string | undefined;
      results?: Record<string, JsonValue> | undefined;
    },
    actor: string,
  ): Promise<Run> {
    const { status } = await requireProject(input.runId);
    // A run being canceled that finishes by itself still ends canceled: the user asked for it.
    const to: RunStatus = status === "canceling" ? "canceled" : input.status;
    // The transition is checked (409 for a run already finished) before the results are touched.
    const run = await transition(input.runId, to, {
      actor,
      reason: input.status === "failed" ? (input.error ?? "failed") : null,
      changes: { finishedAt: new Date(), error: input.error ?? null, leaseExpiresAt: null },
    });
    return input.results ? setResults(input.runId, input.results) : run;
  }

  /** `fn` with all of its statements in one transaction (a savepoint inside a caller's one). */
  const atomic =
    <A extends unknown[], R>(fn: (...args: A) => Promise<R>) =>
    (...args: A): Promise<R> =>
      database.transaction(() => fn(...args));

  async function events(runId: string): Promise<RunEvent[]> {
    await requireProject(runId);
    const rows = await db.select().from(runEvents).where(eq(runEvents.runId, runId)).orderBy(runEvents.id);
    return rows.map((r) => ({
      id: r.id,
      runId: r.runId,
      at: r.at.toISOString(),
      from: (r.fromStatus as RunStatus | null) ?? null,
      to: r.toStatus as RunStatus,
      actor: r.actor,
      reason: r.reason,
    }));
  }

  return {
    get,
    list,
    create: atomic(create),
    update: atomic(update),
    setKeyValueTags,
    deleteKeyValueTag,
    finish: atomic(finish),
    setResults,
    transition: atomic(transition),
    insertNew: atomic(insertNew),
    /** Runs `fn` in one transaction (a savepoint inside a caller's one). */
    inTransaction: <T>(fn: () => Promise<T>) => database.transaction(fn),
    requireProject,
    projectOf,
    events,
    rowsToRuns,
    findRow,
  };
}
export type RunService = ReturnType<typeof createRunService>;
