import { sql } from "drizzle-orm";
import { ROLLUP_WIDTHS } from "../services/series-query.ts";
import type { TestServer } from "./test-server.ts";

/** What the summary and rollups of a run must hold, computed from its points from scratch. */
export async function foldedFromScratch(server: TestServer, runId: string) {
  const summaries = await server.database.query(sql`
    SELECT key, first_step::float8 AS first_step, last, last_step::float8 AS last_step, min, min_step::float8 AS min_step,
      max, max_step::float8 AS max_step, count::float8 AS count
    FROM metric_summaries WHERE run_id = ${runId}::uuid ORDER BY key`);
  const expectedSummaries = await server.database.query(sql`
    SELECT key, min(step)::float8 AS first_step,
      (array_agg(value ORDER BY step DESC))[1] AS last, max(step)::float8 AS last_step,
      (min(ARRAY[value, step::float8]) FILTER (WHERE value <> 'NaN'))[1] AS min,
      (min(ARRAY[value, step::float8]) FILTER (WHERE value <> 'NaN'))[2] AS min_step,
      (max(ARRAY[value, -step::float8]) FILTER (WHERE value <> 'NaN'))[1] AS max,
      -(max(ARRAY[value, -step::float8]) FILTER (WHERE value <> 'NaN'))[2] AS max_step,
      count(*)::float8 AS count
    FROM metric_points WHERE run_id = ${runId}::uuid GROUP BY key ORDER BY key`);
  const rollups = await server.database.query(sql`
    SELECT key, width, block::float8 AS block, mn, mx, n FROM metric_rollups
    WHERE run_id = ${runId}::uuid ORDER BY key, width, block`);
  const expectedRollups = await server.database.query(sql`
    SELECT key, width, (step / width)::float8 AS block,
      min(ARRAY[value, step::float8, time_ms, COALESCE(epoch, -1)::float8, attempt::float8]) AS mn,
      max(ARRAY[value, -step::float8, time_ms, COALESCE(epoch, -1)::float8, attempt::float8]) AS mx, count(*)::int AS n
    FROM metric_points CROSS JOIN unnest(${`{${ROLLUP_WIDTHS.join(",")}}`}::int[]) AS w(width)
    WHERE run_id = ${runId}::uuid AND value <> 'NaN'
    GROUP BY key, width, step / width ORDER BY key, width, block`);
  return { summaries, expectedSummaries, rollups, expectedRollups };
}
