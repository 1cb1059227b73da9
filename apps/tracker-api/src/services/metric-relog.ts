import { planRelogged, type TimedPoint } from "@labtrack/core";
import { sql } from "drizzle-orm";
import type { Database } from "../db/client.ts";
import { numberArrayLiteral, textArrayLiteral } from "../db/pg-array.ts";
import type { LogService } from "./logs.ts";
import type { MetricService } from "./metrics.ts";

interface PointRow extends Record<string, unknown> {
  key: string;
  step: number;
  value: number;
  time_ms: number;
}

const toPoint = (r: PointRow): TimedPoint => ({
  key: r.key,
  step: Number(r.step),
  value: Number(r.value),
  timeMs: Number(r.time_ms),
});

/**
 * Logs points that may repeat a step (MLflow keeps every value logged at a step): they go through
 * `metrics.log` like every other point; the rare ones whose step was taken by another value are
 * moved after their key's last step (see planRelogged in @labtrack/core), and the run's log says
 * so once per key. Retries of a batch store nothing twice.
 */
export function createMetricRelogService(database: Database, metrics: MetricService, logs: LogService) {
  async function storedAt(runId: string, points: readonly TimedPoint[]): Promise<TimedPoint[]> {
    const rows = await database.query<PointRow>(sql`
      SELECT key, step::float8 AS step, value, time_ms FROM metric_points
      WHERE run_id = ${runId}::uuid AND (key, step) IN (SELECT * FROM unnest(
        ${textArrayLiteral(points.map((p) => p.key))}::text[], ${numberArrayLiteral(points.map((p) => p.step))}::int8[]))`);
    return rows.map(toPoint);
  }

  async function storedSameTime(runId: string, points: readonly TimedPoint[]): Promise<TimedPoint[]> {
    const rows = await database.query<PointRow>(sql`
      SELECT key, step::float8 AS step, value, time_ms FROM metric_points
      WHERE run_id = ${runId}::uuid AND (key, time_ms, value) IN (SELECT * FROM unnest(
        ${textArrayLiteral(points.map((p) => p.key))}::text[],
        ${numberArrayLiteral(points.map((p) => p.timeMs))}::float8[],
        ${numberArrayLiteral(points.map((p) => p.value))}::float8[]))`);
    return rows.map(toPoint);
  }

  async function lastSteps(runId: string, keys: readonly string[]): Promise<Map<string, number>> {
    const rows = await database.query<{ key: string; last_step: number }>(sql`
      SELECT key, last_step::float8 AS last_step FROM metric_summaries
      WHERE run_id = ${runId}::uuid AND key = ANY(${textArrayLiteral([...keys])}::text[])`);
    return new Map(rows.map((r) => [r.key, Number(r.last_step)]));
  }

  async function noteMoved(runId: string, moved: readonly TimedPoint[]): Promise<void> {
    const firstStep = new Map<string, number>();
    for (const point of moved) if (!firstStep.has(point.key)) firstStep.set(point.key, point.step);
    const lines = [];
    for (const [key, step] of firstStep) {
      const marker = `metric '${key}' was logged again at a step it already had`;
      const said = await logs.tail({ runId, limit: 1, search: marker });
      if (said.lines.length > 0) continue;
      lines.push({
        stream: "system" as const,
        text: `mlflow: ${marker} with another value; Labtrack keeps every value, so such values go after the key's last step (first one at step ${step})`,
      });
    }
    if (lines.length > 0) await logs.append(runId, lines);
  }

  /** Returns how many points were stored (new or moved). */
  async function log(
    runId: string,
    points: readonly TimedPoint[],
  ): Promise<{ stored: number; moved: number }> {
    const first = await metrics.log(
      runId,
      points.map((p) => ({ key: p.key, step: p.step, value: p.value, time: p.timeMs })),
    );
    if (first.inserted === points.length) return { stored: first.inserted, moved: 0 };
    let stored = first.inserted;
    let moved = 0;
    let pending: readonly TimedPoint[] = points;
    // A concurrent batch may take the steps chosen here: plan again for what did not land.
    for (let attempt = 0; attempt < 5 && pending.length > 0; attempt += 1) {
      const keys = [...new Set(pending.map((p) => p.key))];
      const plan = planRelogged(
        pending,
        await storedAt(runId, pending),
        await storedSameTime(runId, pending),
        await lastSteps(runId, keys),
      );
      if (plan.length === 0) break;
      const result = await metrics.log(
        runId,
        plan.map((p) => ({ key: p.key, step: p.step, value: p.value, time: p.timeMs })),
      );
      stored += result.inserted;
      moved += result.inserted;
      if (attempt === 0) await noteMoved(runId, plan);
      pending = result.inserted === plan.length ? [] : plan;
    }
    return { stored, moved };
  }

  return { log };
}
export type MetricRelogService = ReturnType<typeof createMetricRelogService>;
