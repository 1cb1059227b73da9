import { sql } from "drizzle-orm";
import type { Database } from "../db/client.ts";
import { textArrayLiteral } from "../db/pg-array.ts";

export interface StoredPoint {
  key: string;
  step: number;
  value: number;
  timeMs: number;
}

interface Row extends Record<string, unknown> {
  run_id: string;
  key: string;
  step: number;
  value: number;
  time_ms: number;
}

/** Point-level reads for the MLflow adapter: each key's latest point, and one key's history by step. */
export function createMetricHistoryService(database: Database) {
  /** Each run's latest point of every key (the point at the key's last step). */
  async function latest(runIds: readonly string[]): Promise<Map<string, StoredPoint[]>> {
    const byRun = new Map<string, StoredPoint[]>();
    if (runIds.length === 0) return byRun;
    const rows = await database.query<Row>(sql`
      SELECT s.run_id::text AS run_id, s.key, s.last_step::float8 AS step, s.last AS value, p.time_ms
      FROM metric_summaries s
      JOIN metric_points p ON p.run_id = s.run_id AND p.key = s.key AND p.step = s.last_step
      WHERE s.run_id = ANY(${textArrayLiteral([...runIds])}::uuid[])
      ORDER BY s.key`);
    for (const r of rows) {
      const list = byRun.get(r.run_id) ?? [];
      list.push({ key: r.key, step: Number(r.step), value: Number(r.value), timeMs: Number(r.time_ms) });
      byRun.set(r.run_id, list);
    }
    return byRun;
  }

  /** `limit` points of a key in step order, from `offset`. */
  async function history(runId: string, key: string, offset: number, limit: number): Promise<StoredPoint[]> {
    const rows = await database.query<Row>(sql`
      SELECT run_id::text AS run_id, key, step::float8 AS step, value, time_ms FROM metric_points
      WHERE run_id = ${runId}::uuid AND key = ${key}
      ORDER BY step LIMIT ${limit} OFFSET ${offset}`);
    return rows.map((r) => ({
      key: r.key,
      step: Number(r.step),
      value: Number(r.value),
      timeMs: Number(r.time_ms),
    }));
  }

  return { latest, history };
}
export type MetricHistoryService = ReturnType<typeof createMetricHistoryService>;
