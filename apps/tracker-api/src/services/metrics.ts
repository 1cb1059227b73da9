import type { MetricPoint, MetricSeries, MetricSeriesChunk, metricsSeriesInput } from "@labtrack/schemas";
import { toWireNumber } from "@labtrack/schemas";
import { sql } from "drizzle-orm";
import type { z } from "zod";
import type { Database } from "../db/client.ts";
import { numberArrayLiteral, textArrayLiteral } from "../db/pg-array.ts";
import type { LiveEventBus } from "./live-events.ts";
import type { RunService } from "./runs.ts";

interface InsertedRow extends Record<string, unknown> {
  key: string;
  step: number;
  value: number;
  time_ms: number;
  epoch: number | null;
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
    };
  });
}

export function createMetricService(database: Database, runService: RunService, bus: LiveEventBus) {
  /**
   * Stores a batch in one statement: an `unnest` insert that skips points already stored
   * (same run, key and step), then folds only the new points into each key's summary.
   */
  async function log(
    runId: string,
    points: readonly MetricPoint[],
  ): Promise<{ inserted: number; received: number }> {
    const project = await runService.projectOf(runId);
    const now = Date.now();
    const rows = await database.query<InsertedRow>(sql`
      WITH input AS (
        SELECT * FROM unnest(
          ${textArrayLiteral(points.map((p) => p.key))}::text[],
          ${numberArrayLiteral(points.map((p) => p.step))}::int8[],
          ${numberArrayLiteral(points.map((p) => p.value))}::float8[],
          ${numberArrayLiteral(points.map((p) => timeToMs(p.time, now)))}::float8[],
          ${numberArrayLiteral(points.map((p) => p.epoch))}::int4[]
        ) AS t(key, step, value, time_ms, epoch)
      ), ins AS (
        INSERT INTO metric_points (run_id, key, step, value, time_ms, epoch)
        SELECT ${runId}::uuid, key, step, value, time_ms, epoch FROM input
        ON CONFLICT DO NOTHING
        RETURNING key, step, value, time_ms, epoch
      ), agg AS (
        SELECT key, count(*) AS n, min(step) AS first_step, max(step) AS last_step,
          (max(ARRAY[step::float8, value]))[2] AS last,
          (min(ARRAY[value, step::float8]) FILTER (WHERE value <> 'NaN')) AS mn,
          (max(ARRAY[value, -step::float8]) FILTER (WHERE value <> 'NaN')) AS mx
        FROM ins GROUP BY key
      ), summary AS (
        INSERT INTO metric_summaries AS s (run_id, key, first_step, last, last_step, min, min_step, max, max_step, count)
        SELECT ${runId}::uuid, key, first_step, last, last_step, mn[1], mn[2]::int8, mx[1], (-mx[2])::int8, n FROM agg
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
      )
      SELECT key, step::float8 AS step, value, time_ms, epoch FROM ins`);
    if (rows.length > 0) {
      bus.publish({ kind: "metric", runId, project, series: toColumnar(rows) });
    }
    return { inserted: rows.length, received: points.length };
  }

  async function keys(runIds: readonly string[]): Promise<{ key: string; runs: number; points: number }[]> {
    const rows = await database.query<{ key: string; runs: number; points: number }>(sql`
      SELECT key, count(*)::int AS runs, sum(count)::float8 AS points FROM metric_summaries
      WHERE run_id = ANY(${textArrayLiteral([...runIds])}::uuid[]) GROUP BY key ORDER BY key`);
    return rows.map((r) => ({ key: r.key, runs: Number(r.runs), points: Number(r.points) }));
  }

  /**
   * Many runs x many keys. A series longer than `maxPoints` is cut into `maxPoints / 2` equal step
   * buckets and keeps each bucket's minimum and maximum point, so spikes survive downsampling.
   */
  async function series(input: z.output<typeof metricsSeriesInput>): Promise<MetricSeries[]> {
    const runIds = textArrayLiteral([...new Set(input.runIds)]);
    const keyList = textArrayLiteral([...new Set(input.keys)]);
    const lo = input.stepMin ?? 0;
    const hi = input.stepMax ?? Number.MAX_SAFE_INTEGER;
    const buckets = Math.max(1, Math.floor((input.maxPoints - 2) / 2));
    const extents = await database.query<{
      run_id: string;
      key: string;
      s0: number;
      s1: number;
      n: number;
    }>(sql`
      SELECT ms.run_id::text AS run_id, ms.key,
        GREATEST(ms.first_step, ${lo}::int8)::float8 AS s0, LEAST(ms.last_step, ${hi}::int8)::float8 AS s1,
        CASE WHEN ${input.stepMin === undefined && input.stepMax === undefined}
          THEN ms.count::float8
          ELSE (SELECT count(*) FROM metric_points p WHERE p.run_id = ms.run_id AND p.key = ms.key
                AND p.step BETWEEN ${lo}::int8 AND ${hi}::int8)::float8 END AS n
      FROM metric_summaries ms
      WHERE ms.run_id = ANY(${runIds}::uuid[]) AND ms.key = ANY(${keyList}::text[])`);
    const small = extents.filter((e) => e.n <= input.maxPoints && e.n > 0);
    const large = extents.filter((e) => e.n > input.maxPoints);
    const out = new Map<string, MetricSeries>();
    const seriesId = (runId: string, key: string) => `${runId}\u0000${key}`;
    for (const e of extents) {
      out.set(seriesId(e.run_id, e.key), {
        runId: e.run_id,
        key: e.key,
        steps: [],
        values: [],
        times: [],
        epochs: [],
        total: Number(e.n),
        downsampled: e.n > input.maxPoints,
      });
    }
    const push = (r: {
      run_id: string;
      key: string;
      step: number;
      value: number;
      time_ms: number;
      epoch: number | null;
    }) => {
      const s = out.get(seriesId(r.run_id, r.key));
      if (!s) return;
      s.steps.push(Number(r.step));
      s.values.push(toWireNumber(Number(r.value)));
      s.times.push(Number(r.time_ms));
      s.epochs.push(r.epoch === null ? null : Number(r.epoch));
    };
    type PointRow = {
      run_id: string;
      key: string;
      step: number;
      value: number;
      time_ms: number;
      epoch: number | null;
    };
    if (small.length > 0) {
      const rows = await database.query<PointRow>(sql`
        SELECT p.run_id::text AS run_id, p.key, p.step::float8 AS step, p.value, p.time_ms, p.epoch
        FROM metric_points p
        WHERE p.run_id = ANY(${textArrayLiteral(small.map((e) => e.run_id))}::uuid[])
          AND p.key = ANY(${textArrayLiteral([...new Set(small.map((e) => e.key))])}::text[])
          AND p.step BETWEEN ${lo}::int8 AND ${hi}::int8
        ORDER BY p.run_id, p.key, p.step`);
      for (const r of rows) push(r);
    }
    if (large.length > 0) {
      const rows = await database.query<PointRow>(sql`
        WITH ext AS (
          SELECT * FROM unnest(
            ${textArrayLiteral(large.map((e) => e.run_id))}::uuid[],
            ${textArrayLiteral(large.map((e) => e.key))}::text[],
            ${numberArrayLiteral(large.map((e) => e.s0))}::float8[],
            ${numberArrayLiteral(large.map((e) => e.s1))}::float8[]
          ) AS t(run_id, key, s0, s1)
        ), bucketed AS (
          SELECT p.run_id, p.key,
            floor((p.step - ext.s0) * ${buckets} / (ext.s1 - ext.s0 + 1)) AS b,
            min(ARRAY[p.value, p.step::float8]) FILTER (WHERE p.value <> 'NaN') AS mn,
            max(ARRAY[p.value, -p.step::float8]) FILTER (WHERE p.value <> 'NaN') AS mx,
            min(p.step) AS first_step
          FROM metric_points p JOIN ext ON p.run_id = ext.run_id AND p.key = ext.key
          WHERE p.step BETWEEN ext.s0::int8 AND ext.s1::int8
          GROUP BY p.run_id, p.key, b
        ), picked AS (
          SELECT run_id, key, unnest(ARRAY[
            COALESCE(mn[2]::int8, first_step), COALESCE((-mx[2])::int8, first_step)]) AS step
          FROM bucketed
          UNION SELECT run_id, key, s0::int8 FROM ext
          UNION SELECT run_id, key, s1::int8 FROM ext
        )
        SELECT p.run_id::text AS run_id, p.key, p.step::float8 AS step, p.value, p.time_ms, p.epoch
        FROM (SELECT DISTINCT run_id, key, step FROM picked) k
        JOIN metric_points p ON p.run_id = k.run_id AND p.key = k.key AND p.step = k.step
        ORDER BY p.run_id, p.key, p.step`);
      for (const r of rows) push(r);
    }
    // Every requested (run, key) pair gets an answer, empty when there is no such series.
    const result: MetricSeries[] = [];
    for (const runId of new Set(input.runIds)) {
      for (const key of new Set(input.keys)) {
        result.push(
          out.get(seriesId(runId, key)) ?? {
            runId,
            key,
            steps: [],
            values: [],
            times: [],
            epochs: [],
            total: 0,
            downsampled: false,
          },
        );
      }
    }
    return result;
  }

  return { log, keys, series };
}
export type MetricService = ReturnType<typeof createMetricService>;
