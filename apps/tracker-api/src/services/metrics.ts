import type { MetricPoint, MetricSeries, MetricSeriesChunk, metricsSeriesInput } from "@labtrack/schemas";
import { toWireNumber } from "@labtrack/schemas";
import { TRPCError } from "@trpc/server";
import { sql } from "drizzle-orm";
import type { z } from "zod";
import type { Database } from "../db/client.ts";
import { numberArrayLiteral, textArrayLiteral } from "../db/pg-array.ts";
import type { LiveEventBus } from "./live-events.ts";
import { attemptOfWrite, attemptStarts, refoldReplaced, takeOverSteps } from "./metric-attempts.ts";
import {
  type IngestColumns,
  type IngestMode,
  insertBatch,
  isDeadlock,
  isUniqueViolation,
} from "./metric-ingest.ts";
import type { RunService } from "./runs.ts";
import { readSeries } from "./series-query.ts";

interface InsertedRow extends Record<string, unknown> {
  key: string;
  step: number;
  value: number;
  time_ms: number;
  epoch: number | null;
  attempt: number;
}

function timeToMs(time: MetricPoint["time"], now: number): number {
  if (time === undefined) return now;
  return typeof time === "number" ? time : Date.parse(time);
}

/** Groups points by key into the columnar form used on the wire, in step order. */
export function toColumnar(rows: readonly InsertedRow[]): MetricSeriesChunk[] {
  const byKey = new Map<string, InsertedRow[]>();
  for (const row of rows) {
    const list = byKey.get(row.key) ?? [];
    list.push(row);
    byKey.set(row.key, list);
  }
  return [...byKey.entries()].map(([key, list]) => {
    list.sort((a, b) => a.step - b.step);
    return {
      key,
      steps: list.map((r) => Number(r.step)),
      values: list.map((r) => toWireNumber(Number(r.value))),
      times: list.map((r) => Number(r.time_ms)),
      epochs: list.map((r) => (r.epoch === null ? null : Number(r.epoch))),
      attempts: list.map((r) => Number(r.attempt)),
    };
  });
}

/** A batch stored whole, as toColumnar would group it, built from its columns (no row objects). */
export function batchToColumnar(columns: IngestColumns, attempt: number): MetricSeriesChunk[] {
  const byKey = new Map<string, number[]>();
  for (let i = 0; i < columns.keys.length; i++) {
    const key = columns.keys[i]!;
    const list = byKey.get(key);
    if (list) list.push(i);
    else byKey.set(key, [i]);
  }
  return [...byKey.entries()].map(([key, indices]) => {
    const { steps, values, times, epochs } = columns;
    // Usually already in step order (a trainer logs steps in turn): sort only when not.
    if (indices.some((at, n) => n > 0 && steps[at]! < steps[indices[n - 1]!]!))
      indices.sort((a, b) => steps[a]! - steps[b]!);
    return {
      key,
      steps: indices.map((i) => steps[i]!),
      values: indices.map((i) => toWireNumber(values[i]!)),
      times: indices.map((i) => times[i]!),
      epochs: indices.map((i) => epochs[i] ?? null),
      attempts: indices.map(() => attempt),
    };
  });
}

/** How many times a batch is tried when Postgres picks it as a deadlock's victim. */
const DEADLOCK_TRIES = 4;

export function createMetricService(database: Database, runService: RunService, bus: LiveEventBus) {
  /**
   * Stores a batch in one statement (metric-ingest.ts) that inserts the points and folds only the
   * new ones into each key's summary and rollups. Each point records the run's attempt; a retried
   * attempt first takes over the steps an earlier attempt logged (metric-attempts.ts), so its
   * values replace theirs. The batch is first stored as all new (a plain insert); when some point
   * was already stored (a re-send, a step repeated in the batch, a concurrent writer of the same
   * step) that fails and changes nothing, and the batch is stored again skipping those points.
   */
  async function log(
    runId: string,
    points: readonly MetricPoint[],
    statedAttempt?: number,
  ): Promise<{ inserted: number; received: number }> {
    const now = Date.now();
    const columns: IngestColumns = {
      keys: points.map((p) => p.key),
      steps: points.map((p) => p.step),
      values: points.map((p) => p.value),
      times: points.map((p) => timeToMs(p.time, now)),
      epochs: points.map((p) => p.epoch),
    };
    for (let tryNumber = 1; ; tryNumber++) {
      try {
        try {
          return await logAs(runId, points, columns, statedAttempt, "new");
        } catch (error) {
          if (!isUniqueViolation(error)) throw error;
          return await logAs(runId, points, columns, statedAttempt, "skip-stored");
        }
      } catch (error) {
        // A deadlock's victim changed nothing (its savepoint or transaction rolled back): again.
        if (!isDeadlock(error) || tryNumber >= DEADLOCK_TRIES) throw error;
        await new Promise((resolve) => setTimeout(resolve, Math.random() * 20 * tryNumber));
      }
    }
  }

  function logAs(
    runId: string,
    points: readonly MetricPoint[],
    columns: IngestColumns,
    statedAttempt: number | undefined,
    mode: IngestMode,
  ): Promise<{ inserted: number; received: number }> {
    // One transaction (a savepoint inside the request's): the points and their live event commit
    // together, and a failed try leaves nothing behind.
    return database.transaction(async () => {
      const project = await runService.projectOf(runId);
      const attempt = await attemptOfWrite(database, runId, statedAttempt);
      const { keys, steps, times } = columns;
      // A retried run's points replace the earlier attempts' at the same steps (see metric-attempts.ts).
      const replaced = attempt > 1 ? await takeOverSteps(database, runId, attempt, keys, steps, times) : [];
      const inserted = await insertBatch(database, runId, attempt, columns, mode);
      await refoldReplaced(database, runId, replaced);
      if (inserted === points.length) {
        // Every point is new: the batch itself is what was stored (no need to send it back from SQL).
        const series = batchToColumnar(columns, attempt);
        await bus.publish({ kind: "metric", runId, project, series });
      } else if (inserted > 0) {
        // Partly a re-send (or repeated steps within the batch): tell subscribers what is stored.
        const series = toColumnar(await storedPoints(runId, points));
        await bus.publish({ kind: "metric", runId, project, series });
      }
      return { inserted, received: points.length };
    });
  }

  async function storedPoints(runId: string, points: readonly MetricPoint[]): Promise<InsertedRow[]> {
    return database.query<InsertedRow>(sql`
      SELECT p.key, p.step::float8 AS step, p.value, p.time_ms, p.epoch, p.attempt FROM metric_points p
      WHERE p.run_id = ${runId}::uuid AND (p.key, p.step) IN (
        SELECT * FROM unnest(${textArrayLiteral(points.map((x) => x.key))}::text[], ${numberArrayLiteral(points.map((x) => x.step))}::int8[]))`);
  }

  /** Reads of several runs name the first one that does not exist, rather than answering empty. */
  async function requireRuns(runIds: readonly string[]): Promise<void> {
    const found = await database.query<{ id: string }>(
      sql`SELECT id::text AS id FROM runs WHERE id = ANY(${textArrayLiteral([...runIds])}::uuid[])`,
    );
    const known = new Set(found.map((r) => r.id));
    const index = runIds.findIndex((id) => !known.has(id.toLowerCase()));
    if (index >= 0) {
      throw new TRPCError({ code: "NOT_FOUND", message: `runIds.${index}: no run with id ${runIds[index]}` });
    }
  }

  async function keys(runIds: readonly string[]): Promise<{ key: string; runs: number; points: number }[]> {
    await requireRuns(runIds);
    const rows = await database.query<{ key: string; runs: number; points: number }>(sql`
      SELECT key, count(*)::int AS runs, sum(count)::float8 AS points FROM metric_summaries
      WHERE run_id = ANY(${textArrayLiteral([...runIds])}::uuid[]) GROUP BY key ORDER BY key`);
    return rows.map((r) => ({ key: r.key, runs: Number(r.runs), points: Number(r.points) }));
  }

  /**
   * Many runs x many keys, each series downsampled on the server to at most `maxPoints` while
   * keeping every bucket's minimum and maximum (see series-query.ts).
   */
  async function series(input: z.output<typeof metricsSeriesInput>): Promise<MetricSeries[]> {
    await requireRuns(input.runIds);
    return readSeries(database, input);
  }

  async function attempts(runId: string) {
    await requireRuns([runId]);
    return attemptStarts(database, runId);
  }

  return { log, keys, series, attempts };
}
export type MetricService = ReturnType<typeof createMetricService>;
