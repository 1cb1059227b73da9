import type { MetricAttemptStart } from "@labtrack/schemas";
import { TRPCError } from "@trpc/server";
import { sql } from "drizzle-orm";
import type { Database } from "../db/client.ts";
import { numberArrayLiteral, textArrayLiteral } from "../db/pg-array.ts";
import { ROLLUP_WIDTHS } from "./series-query.ts";

/**
 * Points of a retried run. Each point records the run's attempt when it was written; a later
 * attempt's point at a step replaces an earlier attempt's point at that step (attempt 2 rewinds to
 * its checkpoint and logs those steps again), while within one attempt the first write wins.
 *
 * A batch of an earlier attempt than the one stored at a step (a runner replaying a lost attempt's
 * spool) leaves that step alone: it only takes over steps of attempts before its own.
 *
 * The ingest statement itself only ever inserts (`ON CONFLICT DO NOTHING`). For attempts after the
 * first, `takeOverSteps` runs before it: it deletes the earlier attempts' points at the batch's steps,
 * so the insert stores the new ones, and notes where the attempt began. `refoldReplaced` runs after
 * it and rebuilds what the deleted points were folded into: their rollup blocks (16-step blocks from
 * the points, each wider level from the one below) and their keys' summaries.
 */

export interface ReplacedPoint {
  key: string;
  step: number;
}

/**
 * The attempt a batch is stored as: the one the writer states (a runner sends the attempt it
 * claimed), or the run's attempt counter now (1 for runs that were never retried). A stated
 * attempt past the run's counter is refused: no attempt has run as that yet.
 */
export async function attemptOfWrite(database: Database, runId: string, stated?: number): Promise<number> {
  const rows = await database.query<{ attempt: number }>(
    sql`SELECT attempt FROM runs WHERE id = ${runId}::uuid`,
  );
  const current = Number(rows[0]?.attempt ?? 1);
  if (stated === undefined) return current;
  if (stated > current) {
    throw new TRPCError({
      code: "BAD_REQUEST",
      message: `attempt: run ${runId} is at attempt ${current}; points cannot come from attempt ${stated}`,
    });
  }
  return stated;
}

/** Deletes earlier attempts' points at the batch's (key, step)s and records where `attempt` began. */
export async function takeOverSteps(
  database: Database,
  runId: string,
  attempt: number,
  keys: readonly string[],
  steps: readonly number[],
  times: readonly number[],
): Promise<ReplacedPoint[]> {
  if (keys.length === 0) return [];
  let firstStep = steps[0]!;
  let firstTime = times[0]!;
  for (let i = 1; i < steps.length; i++) {
    if (steps[i]! < firstStep) firstStep = steps[i]!;
    if (times[i]! < firstTime) firstTime = times[i]!;
  }
  await database.query(sql`
    INSERT INTO metric_attempts AS a (run_id, attempt, first_step, first_time_ms)
    VALUES (${runId}::uuid, ${attempt}, ${firstStep}, ${firstTime})
    ON CONFLICT (run_id, attempt) DO UPDATE SET
      first_step = LEAST(a.first_step, excluded.first_step),
      first_time_ms = LEAST(a.first_time_ms, excluded.first_time_ms)`);
  const rows = await database.query<{ key: string; step: number }>(sql`
    DELETE FROM metric_points p
    USING unnest(${textArrayLiteral([...keys])}::text[], ${numberArrayLiteral([...steps])}::int8[]) AS t(key, step)
    WHERE p.run_id = ${runId}::uuid AND p.key = t.key AND p.step = t.step AND p.attempt < ${attempt}
    RETURNING p.key, p.step::float8 AS step`);
  return rows.map((r) => ({ key: r.key, step: Number(r.step) }));
}

/** Rebuilds the rollup blocks and summaries that held the replaced points. */
export async function refoldReplaced(
  database: Database,
  runId: string,
  replaced: readonly ReplacedPoint[],
): Promise<void> {
  if (replaced.length === 0) return;
  const keys = replaced.map((p) => p.key);
  const steps = replaced.map((p) => p.step);
  const blocksOf = (width: number) => sql`
    SELECT DISTINCT key, step / ${width} AS block
    FROM unnest(${textArrayLiteral(keys)}::text[], ${numberArrayLiteral(steps)}::int8[]) AS t(key, step)`;
  let below: number | null = null;
  for (const width of ROLLUP_WIDTHS) {
    // The block's extremes again, from the points (first level) or from the four blocks below it.
    const fresh =
      below === null
        ? sql`
          SELECT b.key, b.block, min(ARRAY[p.value, p.step::float8, p.time_ms, COALESCE(p.epoch, -1)::float8, p.attempt::float8]) AS mn,
            max(ARRAY[p.value, -p.step::float8, p.time_ms, COALESCE(p.epoch, -1)::float8, p.attempt::float8]) AS mx, count(*)::int AS n
          FROM blocks b JOIN metric_points p ON p.run_id = ${runId}::uuid AND p.key = b.key
            AND p.step BETWEEN b.block * ${width} AND b.block * ${width} + ${width - 1}
          WHERE p.value <> 'NaN' GROUP BY b.key, b.block`
        : sql`
          SELECT b.key, b.block, min(r.mn) AS mn, max(r.mx) AS mx, sum(r.n)::int AS n
          FROM blocks b JOIN metric_rollups r ON r.run_id = ${runId}::uuid AND r.key = b.key AND r.width = ${below}
            AND r.block BETWEEN b.block * ${width / below} AND b.block * ${width / below} + ${width / below - 1}
          GROUP BY b.key, b.block`;
    await database.query(sql`
      WITH blocks AS (${blocksOf(width)}), fresh AS (${fresh}), gone AS (
        -- a block left with only NaN points has no extremes: no row, as at ingest
        DELETE FROM metric_rollups r USING blocks b
        WHERE r.run_id = ${runId}::uuid AND r.key = b.key AND r.width = ${width} AND r.block = b.block
          AND NOT EXISTS (SELECT 1 FROM fresh f WHERE f.key = b.key AND f.block = b.block)
      )
      INSERT INTO metric_rollups (run_id, key, width, block, mn, mx, n)
      SELECT ${runId}::uuid, key, ${width}, block, mn, mx, n FROM fresh
      ON CONFLICT (run_id, key, width, block) DO UPDATE SET mn = excluded.mn, mx = excluded.mx, n = excluded.n`);
    below = width;
  }
  // Summaries: the steps held stay the same (each replaced step got a new point), so only count
  // (the ingest counted the new points as added), last and the extremes change. The widest rollups
  // already hold every block's extremes.
  const widest = ROLLUP_WIDTHS[ROLLUP_WIDTHS.length - 1];
  await database.query(sql`
    WITH gone AS (
      SELECT key, count(*) AS n FROM unnest(${textArrayLiteral(keys)}::text[]) AS t(key) GROUP BY key
    ), extremes AS (
      SELECT r.key, min(r.mn) AS mn, max(r.mx) AS mx FROM metric_rollups r
      WHERE r.run_id = ${runId}::uuid AND r.width = ${widest} AND r.key IN (SELECT key FROM gone)
      GROUP BY r.key
    )
    UPDATE metric_summaries s SET
      count = s.count - gone.n,
      last = (SELECT p.value FROM metric_points p WHERE p.run_id = s.run_id AND p.key = s.key AND p.step = s.last_step),
      min = e.mn[1], min_step = e.mn[2]::int8, max = e.mx[1], max_step = (-e.mx[2])::int8
    FROM gone LEFT JOIN extremes e USING (key)
    WHERE s.run_id = ${runId}::uuid AND s.key = gone.key`);
}

/**
 * Where each attempt began, in attempt order: attempt 1 at the run's first point, each later one at
 * the first step it logged (kept at ingest). Empty for a run without points.
 */
export async function attemptStarts(database: Database, runId: string): Promise<MetricAttemptStart[]> {
  const rows = await database.query<{ attempt: number; first_step: number; first_time_ms: number }>(sql`
    (SELECT 1 AS attempt, s.first_step::float8 AS first_step, p.time_ms AS first_time_ms
      FROM metric_summaries s JOIN metric_points p ON p.run_id = s.run_id AND p.key = s.key AND p.step = s.first_step
      WHERE s.run_id = ${runId}::uuid ORDER BY s.first_step, p.time_ms LIMIT 1)
    UNION ALL
    SELECT attempt, first_step::float8, first_time_ms FROM metric_attempts WHERE run_id = ${runId}::uuid
    ORDER BY attempt`);
  return rows.map((r) => ({
    attempt: Number(r.attempt),
    firstStep: Number(r.first_step),
    firstTime: Number(r.first_time_ms),
  }));
}
