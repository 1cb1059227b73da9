import type { MetricPoint, MetricSeries, MetricSeriesChunk, metricsSeriesInput } from "@labtrack/schemas";
import { toWireNumber } from "@labtrack/schemas";
import { TRPCError } from "@trpc/server";
import { sql } from "drizzle-orm";
import type { z } from "zod";
import type { Database } from "../db/client.ts";
import { numberArrayLiteral, textArrayLiteral } from "../db/pg-array.ts";
import type { LiveEventBus } from "./live-events.ts";
import { attemptOfWrite, attemptStarts, refoldReplaced, takeOverSteps } from "./metric-attempts.ts";
import type { RunService } from "./runs.ts";
import { ROLLUP_LEVELS_SQL, ROLLUP_WIDTHS, readSeries } from "./series-query.ts";

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

export function createMetricService(database: Database, runService: RunService, bus: LiveEventBus) {
  /**
   * Stores a batch in one statement: an `unnest` insert that skips points already stored
   * (same run, key and step), then folds only the new points into each key's summary. Each point
   * records the run's attempt; a retried attempt first takes over the steps an earlier attempt
   * logged (metric-attempts.ts), so its values replace theirs.
   */
  async function log(
    runId: string,
    points: readonly MetricPoint[],
    statedAttempt?: number,
  ): Promise<{ inserted: number; received: number }> {
    // One transaction: the points (or lines) and their live event commit together.
    return database.transaction(async () => {
      const project = await runService.projectOf(runId);
      const attempt = await attemptOfWrite(database, runId, statedAttempt);
      const now = Date.now();
      const times = points.map((p) => timeToMs(p.time, now));
      const keys = points.map((p) => p.key);
      const steps = points.map((p) => p.step);
      // A retried run's points replace the earlier attempts' at the same steps (see metric-attempts.ts).
      const replaced = attempt > 1 ? await takeOverSteps(database, runId, attempt, keys, steps, times) : [];
      const counted = await database.query<{ inserted: number }>(sql`
        WITH input AS (
          SELECT * FROM unnest(
            ${textArrayLiteral(keys)}::text[],
            ${numberArrayLiteral(steps)}::int8[],
            ${numberArrayLiteral(points.map((p) => p.value))}::float8[],
            ${numberArrayLiteral(times)}::float8[],
            ${numberArrayLiteral(points.map((p) => p.epoch))}::int4[]
          ) AS t(key, step, value, time_ms, epoch)
        ), ins AS (
          INSERT INTO metric_points (run_id, key, step, value, time_ms, epoch, attempt)
          SELECT ${runId}::uuid, key, step, value, time_ms, epoch, ${attempt}::int4 FROM input
          ON CONFLICT DO NOTHING
          RETURNING key, step, value, time_ms, epoch, attempt
        ), ${ROLLUP_LEVELS_SQL}, agg AS (
          SELECT key, count(*) AS n, min(step) AS first_step, max(step) AS last_step FROM ins GROUP BY key
        ), last_values AS (
          SELECT DISTINCT ON (key) key, value AS last FROM ins ORDER BY key, step DESC
        ), extremes AS (
          -- the 16-step rollup blocks already hold each block's extremes: fold them, not every point
          SELECT key, min(mn) AS mn, max(mx) AS mx FROM ${sql.raw(`rollup_${ROLLUP_WIDTHS[0]}`)} GROUP BY key
        ), summary AS (
          INSERT INTO metric_summaries AS s (run_id, key, first_step, last, last_step, min, min_step, max, max_step, count)
          SELECT ${runId}::uuid, agg.key, first_step, last, last_step, mn[1], mn[2]::int8, mx[1], (-mx[2])::int8, n
          FROM agg JOIN last_values USING (key) LEFT JOIN extremes USING (key)
          ON CONFLICT (run_id, key) DO UPDATE SET
            first_step = LEAST(s.first_step, excluded.first_step),
            last = CASE WHEN excluded.last_step > s.last_step THEN excluded.last ELSE s.last END,
            last_step = GREATEST(s.last_step, excluded.last_step),
            min_step = CASE WHEN excluded.min IS NOT NULL AND (s.min IS NULL OR excluded.min < s.min
              OR (excluded.min = s.min AND excluded.min_step < s.min_step)) THEN excluded.min_step ELSE s.min_step END,
            min = CASE WHEN excluded.min IS NOT NULL AND (s.min IS NULL OR excluded.min < s.min) THEN excluded.min ELSE s.min END,
            max_step = CASE WHEN excluded.max IS NOT NULL AND (s.max IS NULL OR excluded.max > s.max
              OR (excluded.max = s.max AND excluded.max_step < s.max_step)) THEN excluded.max_step ELSE s.max_step END,
            max = CASE WHEN excluded.max IS NOT NULL AND (s.max IS NULL OR excluded.max > s.max) THEN excluded.max ELSE s.max END,
            count = s.count + excluded.count
        ), rollup AS (
          INSERT INTO metric_rollups AS r (run_id, key, width, block, mn, mx, n)
          SELECT ${runId}::uuid, key, width, block, mn, mx, n FROM rollup_levels
          ON CONFLICT (run_id, key, width, block) DO UPDATE SET
            mn = CASE WHEN excluded.mn < r.mn THEN excluded.mn ELSE r.mn END,
            mx = CASE WHEN excluded.mx > r.mx THEN excluded.mx ELSE r.mx END,
            n = r.n + excluded.n
        )
        SELECT count(*)::int AS inserted FROM ins`);
      const inserted = Number(counted[0]?.inserted ?? 0);
      await refoldReplaced(database, runId, replaced);
      if (inserted === points.length) {
        // Every point is new: the batch itself is what was stored (no need to send it back from SQL).
        const rows = points.map((p, i) => ({
          key: p.key,
          step: p.step,
          value: p.value,
          time_ms: times[i]!,
          epoch: p.epoch ?? null,
          attempt,
        }));
        const series = toColumnar(rows);
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
