import { type SQL, sql } from "drizzle-orm";
import type { Database } from "../db/client.ts";
import { numberArrayLiteral, textArrayLiteral } from "../db/pg-array.ts";
import { foldBatch, type IngestColumns } from "./metric-fold.ts";
import { ROLLUP_LEVELS_SQL, ROLLUP_WIDTHS } from "./series-query.ts";

export type { IngestColumns } from "./metric-fold.ts";

/**
 * How the batch meets points already stored at its (key, step)s:
 * - `new`: a plain insert, which fails with a unique violation (23505) when a point is already
 *   stored or the batch repeats a step. About half the cost of the other way (no speculative
 *   insertion per row), so it is tried first; see `insertBatch`.
 * - `skip-stored`: `ON CONFLICT DO NOTHING`, which skips such points (a re-sent batch stores none).
 */
export type IngestMode = "new" | "skip-stored";

const UNIQUE_VIOLATION = "23505";
const DEADLOCK_DETECTED = "40P01";

function hasCode(error: unknown, code: string): boolean {
  let current: unknown = error;
  for (let depth = 0; depth < 8 && current instanceof Error; depth++) {
    if ((current as { code?: unknown }).code === code) return true;
    current = current.cause;
  }
  return false;
}

/** True when `error` (or a cause: DrizzleQueryError -> driver error) is a unique violation. */
export function isUniqueViolation(error: unknown): boolean {
  return hasCode(error, UNIQUE_VIOLATION);
}

/**
 * True when Postgres chose this statement's transaction as a deadlock's victim: it changed nothing
 * and may be tried again. Each statement takes its row locks in (key, step) / key / (key, width,
 * block) order, but the order in which one statement's inserts into the three tables run is
 * Postgres's to choose, so writers of the same steps of one run can still meet in a cycle.
 */
export function isDeadlock(error: unknown): boolean {
  return hasCode(error, DEADLOCK_DETECTED);
}

/** How a key's summary takes in a batch's (`excluded`): the same for both ways of storing it. */
const SUMMARY_UPSERT = sql.raw(`ON CONFLICT (run_id, key) DO UPDATE SET
  first_step = LEAST(s.first_step, excluded.first_step),
  last = CASE WHEN excluded.last_step > s.last_step THEN excluded.last ELSE s.last END,
  last_step = GREATEST(s.last_step, excluded.last_step),
  min_step = CASE WHEN excluded.min IS NOT NULL AND (s.min IS NULL OR excluded.min < s.min
    OR (excluded.min = s.min AND excluded.min_step < s.min_step)) THEN excluded.min_step ELSE s.min_step END,
  min = CASE WHEN excluded.min IS NOT NULL AND (s.min IS NULL OR excluded.min < s.min) THEN excluded.min ELSE s.min END,
  max_step = CASE WHEN excluded.max IS NOT NULL AND (s.max IS NULL OR excluded.max > s.max
    OR (excluded.max = s.max AND excluded.max_step < s.max_step)) THEN excluded.max_step ELSE s.max_step END,
  max = CASE WHEN excluded.max IS NOT NULL AND (s.max IS NULL OR excluded.max > s.max) THEN excluded.max ELSE s.max END,
  count = s.count + excluded.count`);

/** How a rollup block takes in a batch's. */
const ROLLUP_UPSERT = sql.raw(`ON CONFLICT (run_id, key, width, block) DO UPDATE SET
  mn = CASE WHEN excluded.mn < r.mn THEN excluded.mn ELSE r.mn END,
  mx = CASE WHEN excluded.mx > r.mx THEN excluded.mx ELSE r.mx END,
  n = r.n + excluded.n`);

const SUMMARY_COLUMNS = sql.raw(
  "run_id, key, first_step, last, last_step, min, min_step, max, max_step, count",
);
const POINT_COLUMNS = sql.raw("run_id, key, step, value, time_ms, epoch, attempt");

function pointsInput(columns: IngestColumns): SQL {
  return sql`unnest(
    ${textArrayLiteral(columns.keys)}::text[],
    ${numberArrayLiteral(columns.steps)}::int8[],
    ${numberArrayLiteral(columns.values)}::float8[],
    ${numberArrayLiteral(columns.times)}::float8[],
    ${numberArrayLiteral(columns.epochs)}::int4[]
  ) AS t(key, step, value, time_ms, epoch)`;
}

/**
 * One statement: inserts the batch's points, then folds only the inserted ones into each key's
 * summary and into the rollup blocks they touch. Returns how many points it inserted.
 */
export function insertBatch(
  database: Database,
  runId: string,
  attempt: number,
  columns: IngestColumns,
  mode: IngestMode,
): Promise<number> {
  return mode === "new"
    ? insertNewBatch(database, runId, attempt, columns)
    : insertSkippingStored(database, runId, attempt, columns);
}

/**
 * Every point is new, so what the statement inserts is the batch itself: its summaries and
 * rollups are folded here (metric-fold.ts) and the statement only writes rows, with no
 * `RETURNING` to read back, group or sort.
 */
async function insertNewBatch(
  database: Database,
  runId: string,
  attempt: number,
  columns: IngestColumns,
): Promise<number> {
  const { summaries: s, rollups: r } = foldBatch(columns, attempt);
  const floats = (values: readonly (number | null)[]) => sql`${numberArrayLiteral(values)}::float8[]`;
  const ints = (values: readonly (number | null)[]) => sql`${numberArrayLiteral(values)}::int8[]`;
  await database.query(sql`
    WITH ins AS (
      INSERT INTO metric_points (${POINT_COLUMNS})
      SELECT ${runId}::uuid, key, step, value, time_ms, epoch, ${attempt}::int4 FROM ${pointsInput(columns)}
      ORDER BY key, step
    ), summary AS (
      INSERT INTO metric_summaries AS s (${SUMMARY_COLUMNS})
      SELECT ${runId}::uuid, t.* FROM unnest(${textArrayLiteral(s.keys)}::text[], ${ints(s.firstSteps)},
        ${floats(s.lasts)}, ${ints(s.lastSteps)}, ${floats(s.mins)}, ${ints(s.minSteps)}, ${floats(s.maxs)},
        ${ints(s.maxSteps)}, ${ints(s.counts)}) AS t(key, first_step, last, last_step, min, min_step, max, max_step, count)
      ORDER BY t.key
      ${SUMMARY_UPSERT}
    ), rollup AS (
      INSERT INTO metric_rollups AS r (run_id, key, width, block, mn, mx, n)
      SELECT ${runId}::uuid, key, width, block, ARRAY[mn0, mn1, mn2, mn3, mn4], ARRAY[mx0, mx1, mx2, mx3, mx4], n
      FROM unnest(${textArrayLiteral(r.keys)}::text[], ${numberArrayLiteral(r.widths)}::int4[], ${ints(r.blocks)},
        ${floats(r.mn[0])}, ${floats(r.mn[1])}, ${floats(r.mn[2])}, ${floats(r.mn[3])}, ${floats(r.mn[4])},
        ${floats(r.mx[0])}, ${floats(r.mx[1])}, ${floats(r.mx[2])}, ${floats(r.mx[3])}, ${floats(r.mx[4])},
        ${numberArrayLiteral(r.ns)}::int4[]) AS t(key, width, block, mn0, mn1, mn2, mn3, mn4, mx0, mx1, mx2, mx3, mx4, n)
      ORDER BY key, width, block
      ${ROLLUP_UPSERT}
    )
    SELECT 1 AS done`);
  return columns.keys.length;
}

/** Points already stored are skipped; the fold is done in SQL, from the rows the insert returns. */
async function insertSkippingStored(
  database: Database,
  runId: string,
  attempt: number,
  columns: IngestColumns,
): Promise<number> {
  const counted = await database.query<{ inserted: number }>(sql`
    WITH ins AS (
      INSERT INTO metric_points (${POINT_COLUMNS})
      SELECT ${runId}::uuid, key, step, value, time_ms, epoch, ${attempt}::int4 FROM ${pointsInput(columns)}
      ORDER BY key, step
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
      INSERT INTO metric_summaries AS s (${SUMMARY_COLUMNS})
      SELECT ${runId}::uuid, agg.key, first_step, last, last_step, mn[1], mn[2]::int8, mx[1], (-mx[2])::int8, n
      FROM agg JOIN last_values USING (key) LEFT JOIN extremes USING (key)
      ORDER BY agg.key
      ${SUMMARY_UPSERT}
    ), rollup AS (
      INSERT INTO metric_rollups AS r (run_id, key, width, block, mn, mx, n)
      SELECT ${runId}::uuid, key, width, block, mn, mx, n FROM rollup_levels
      ORDER BY key, width, block
      ${ROLLUP_UPSERT}
    )
    SELECT count(*)::int AS inserted FROM ins`);
  return Number(counted[0]?.inserted ?? 0);
}
