import { downsampleMinMax } from "@labtrack/core";
import { type MetricSeries, type metricsSeriesInput, toWireNumber } from "@labtrack/schemas";
import { sql } from "drizzle-orm";
import type { z } from "zod";
import type { Database } from "../db/client.ts";
import { numberArrayLiteral, textArrayLiteral } from "../db/pg-array.ts";

/** Block widths (in steps) of the rollups kept at ingest; each is 4x the one before. */
export const ROLLUP_WIDTHS = [16, 64, 256, 1024, 4096, 16384, 65536] as const;
export const ROLLUP_WIDTHS_LITERAL = `{${ROLLUP_WIDTHS.join(",")}}`;

type SeriesInput = z.output<typeof metricsSeriesInput>;

interface Extent {
  runId: string;
  key: string;
  /** First and last step of the (windowed) series. */
  s0: number;
  s1: number;
  count: number;
  windowed: boolean;
}

interface Point {
  step: number;
  value: number;
  time: number;
  epoch: number | null;
}

/** The widest rollup no wider than a bucket, or null when buckets are narrower than any rollup. */
export function rollupWidthFor(stepRange: number, buckets: number): number | null {
  const bucketWidth = stepRange / buckets;
  let chosen: number | null = null;
  for (const width of ROLLUP_WIDTHS) if (width <= bucketWidth) chosen = width;
  return chosen;
}

/** `[value, step, time, epoch]` as stored in a rollup (`mx` stores -step so ties pick the first step). */
function fromRollup(arr: number[], negatedStep: boolean): Point {
  const [value = Number.NaN, step = 0, time = 0, epoch = -1] = arr;
  return { value, step: negatedStep ? -step : step, time, epoch: epoch < 0 ? null : epoch };
}

function toSeries(extent: Extent, points: Point[], downsampled: boolean, total: number): MetricSeries {
  const byStep = new Map<number, Point>();
  for (const p of points) if (p.step >= extent.s0 && p.step <= extent.s1) byStep.set(p.step, p);
  const sorted = [...byStep.values()].sort((a, b) => a.step - b.step);
  return {
    runId: extent.runId,
    key: extent.key,
    steps: sorted.map((p) => p.step),
    values: sorted.map((p) => toWireNumber(p.value)),
    times: sorted.map((p) => p.time),
    epochs: sorted.map((p) => p.epoch),
    total,
    downsampled,
  };
}

const seriesId = (runId: string, key: string) => `${runId}\u0000${key}`;

function extentParams(extents: Extent[]) {
  return sql`
    ${textArrayLiteral(extents.map((e) => e.runId))}::uuid[],
    ${textArrayLiteral(extents.map((e) => e.key))}::text[],
    ${numberArrayLiteral(extents.map((e) => e.s0))}::int8[],
    ${numberArrayLiteral(extents.map((e) => e.s1))}::int8[]`;
}

/** Every point of each (windowed) series; used when a series is short or its window narrow. */
async function readRawPoints(database: Database, extents: Extent[]): Promise<Map<string, Point[]>> {
  const rows = await database.query<{
    run_id: string;
    key: string;
    step: number;
    value: number;
    time_ms: number;
    epoch: number | null;
  }>(sql`
    WITH ext AS (SELECT * FROM unnest(${extentParams(extents)}) AS t(run_id, key, s0, s1))
    SELECT p.run_id::text AS run_id, p.key, p.step::float8 AS step, p.value, p.time_ms, p.epoch
    FROM ext JOIN metric_points p ON p.run_id = ext.run_id AND p.key = ext.key AND p.step BETWEEN ext.s0 AND ext.s1
    ORDER BY p.run_id, p.key, p.step`);
  const out = new Map<string, Point[]>();
  for (const r of rows) {
    const id = seriesId(r.run_id, r.key);
    const list = out.get(id) ?? [];
    list.push({
      step: Number(r.step),
      value: Number(r.value),
      time: Number(r.time_ms),
      epoch: r.epoch === null ? null : Number(r.epoch),
    });
    out.set(id, list);
  }
  return out;
}

/**
 * Per bucket, the minimum and maximum point. Buckets are whole rollup blocks (block i of the n
 * blocks inside the window goes to bucket floor(i * buckets / n)), so each bucket's extremes are
 * exact; the partial blocks at the window's two ends are read from the raw points into the first
 * and last bucket. Plus the window's first and last points.
 */
async function readBucketExtremes(
  database: Database,
  extents: (Extent & { width: number })[],
  buckets: number,
): Promise<Map<string, { points: Point[]; total: number }>> {
  const widths = numberArrayLiteral(extents.map((e) => e.width));
  const rows = await database.query<{
    run_id: string;
    key: string;
    mn: number[] | null;
    mx: number[] | null;
    n: number;
  }>(sql`
    WITH ext AS (
      SELECT run_id, key, s0, s1, width,
        (s0 + width - 1) / width AS b0, (s1 + 1) / width - 1 AS b1
      FROM unnest(${extentParams(extents)}, ${widths}::int8[]) AS t(run_id, key, s0, s1, width)
    ), parts AS (
      SELECT r.run_id, r.key, (r.block - ext.b0) * ${buckets} / (ext.b1 - ext.b0 + 1) AS bucket, r.mn, r.mx, r.n
      FROM ext JOIN metric_rollups r ON r.run_id = ext.run_id AND r.key = ext.key
        AND r.width = ext.width AND r.block BETWEEN ext.b0 AND ext.b1
      UNION ALL
      SELECT p.run_id, p.key, CASE WHEN p.step < ext.b0 * ext.width THEN 0 ELSE ${buckets - 1} END,
        ARRAY[p.value, p.step::float8, p.time_ms, COALESCE(p.epoch, -1)::float8],
        ARRAY[p.value, -p.step::float8, p.time_ms, COALESCE(p.epoch, -1)::float8], 1
      FROM ext JOIN metric_points p ON p.run_id = ext.run_id AND p.key = ext.key
        AND (p.step BETWEEN ext.s0 AND ext.b0 * ext.width - 1 OR p.step BETWEEN (ext.b1 + 1) * ext.width AND ext.s1)
      WHERE p.value <> 'NaN'
    ), ends AS (
      SELECT ext.run_id, ext.key, f.point AS mn, l.point AS mx, 0 AS n FROM ext
      CROSS JOIN LATERAL (SELECT ARRAY[p.value, p.step::float8, p.time_ms, COALESCE(p.epoch, -1)::float8] AS point
        FROM metric_points p WHERE p.run_id = ext.run_id AND p.key = ext.key AND p.step >= ext.s0
        ORDER BY p.step LIMIT 1) f
      CROSS JOIN LATERAL (SELECT ARRAY[p.value, -p.step::float8, p.time_ms, COALESCE(p.epoch, -1)::float8] AS point
        FROM metric_points p WHERE p.run_id = ext.run_id AND p.key = ext.key AND p.step <= ext.s1
        ORDER BY p.step DESC LIMIT 1) l
    )
    SELECT run_id::text AS run_id, key, min(mn) AS mn, max(mx) AS mx, sum(n)::float8 AS n
    FROM parts GROUP BY run_id, key, bucket
    UNION ALL
    SELECT run_id::text, key, mn, mx, n::float8 FROM ends`);
  const out = new Map<string, { points: Point[]; total: number }>();
  for (const r of rows) {
    const id = seriesId(r.run_id, r.key);
    const entry = out.get(id) ?? { points: [], total: 0 };
    if (r.mn) entry.points.push(fromRollup(r.mn.map(Number), false));
    if (r.mx) entry.points.push(fromRollup(r.mx.map(Number), true));
    entry.total += Number(r.n);
    out.set(id, entry);
  }
  return out;
}

/**
 * Many runs x many keys. A series with more than `maxPoints` points is cut into
 * `(maxPoints - 2) / 2` step buckets of (nearly) equal width and keeps each bucket's minimum and
 * maximum point (NaN left out) plus its first and last point, so spikes survive and no answer
 * exceeds `maxPoints`. Long series read the rollups kept at ingest instead of every point.
 */
export async function readSeries(database: Database, input: SeriesInput): Promise<MetricSeries[]> {
  const windowed = input.stepMin !== undefined || input.stepMax !== undefined;
  const lo = input.stepMin ?? 0;
  const hi = input.stepMax ?? Number.MAX_SAFE_INTEGER;
  const buckets = Math.max(1, Math.floor((input.maxPoints - 2) / 2));
  const summaries = await database.query<{
    run_id: string;
    key: string;
    first_step: number;
    last_step: number;
    count: number;
  }>(sql`
    SELECT run_id::text AS run_id, key, first_step::float8 AS first_step, last_step::float8 AS last_step, count::float8 AS count
    FROM metric_summaries
    WHERE run_id = ANY(${textArrayLiteral([...new Set(input.runIds)])}::uuid[])
      AND key = ANY(${textArrayLiteral([...new Set(input.keys)])}::text[])`);
  const extents: Extent[] = summaries
    .map((s) => ({
      runId: s.run_id,
      key: s.key,
      s0: Math.max(Number(s.first_step), lo),
      s1: Math.min(Number(s.last_step), hi),
      count: Number(s.count),
      windowed,
    }))
    .filter((e) => e.s0 <= e.s1);

  const raw: Extent[] = [];
  const rolled: (Extent & { width: number })[] = [];
  for (const e of extents) {
    const width = rollupWidthFor(e.s1 - e.s0 + 1, buckets);
    if ((!windowed && e.count <= input.maxPoints) || width === null) raw.push(e);
    else rolled.push({ ...e, width });
  }

  const result = new Map<string, MetricSeries>();
  if (raw.length > 0) {
    const points = await readRawPoints(database, raw);
    for (const e of raw) {
      const list = points.get(seriesId(e.runId, e.key)) ?? [];
      const keep =
        list.length > input.maxPoints
          ? downsampleMinMax(
              list.map((p) => p.step),
              list.map((p) => p.value),
              input.maxPoints,
            ).map((i) => list[i]!)
          : list;
      result.set(seriesId(e.runId, e.key), toSeries(e, keep, keep.length < list.length, list.length));
    }
  }
  if (rolled.length > 0) {
    const extremes = await readBucketExtremes(database, rolled, buckets);
    for (const e of rolled) {
      const found = extremes.get(seriesId(e.runId, e.key)) ?? { points: [], total: 0 };
      const total = windowed ? found.total : e.count;
      result.set(seriesId(e.runId, e.key), toSeries(e, found.points, total > input.maxPoints, total));
    }
  }

  const answer: MetricSeries[] = [];
  for (const runId of new Set(input.runIds)) {
    for (const key of new Set(input.keys)) {
      answer.push(
        result.get(seriesId(runId, key)) ?? {
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
  return answer;
}
