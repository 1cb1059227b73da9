import { downsampleMinMax } from "@labtrack/core";
import { type MetricSeries, type metricsSeriesInput, toWireNumber } from "@labtrack/schemas";
import { type SQL, sql } from "drizzle-orm";
import type { z } from "zod";
import type { Database } from "../db/client.ts";
import { numberArrayLiteral, textArrayLiteral } from "../db/pg-array.ts";

/** Block widths (in steps) of the rollups kept at ingest; each is 4x the one before. */
export const ROLLUP_WIDTHS = [16, 64, 256, 1024, 4096, 16384, 65536] as const;

/**
 * CTEs for the ingest statement that turn its inserted points (`ins`) into the rollup blocks they
 * touch, each level built from the one below (16 points -> one 16-step block, four of those -> one
 * 64-step block, …), so the work shrinks fourfold per level. Ends with `rollup_levels`.
 */
export const ROLLUP_LEVELS_SQL = sql.raw(
  [
    `rollup_${ROLLUP_WIDTHS[0]} AS (
        SELECT key, step / ${ROLLUP_WIDTHS[0]} AS block,
          min(ARRAY[value, step::float8, time_ms, COALESCE(epoch, -1)::float8, attempt::float8]) AS mn,
          max(ARRAY[value, -step::float8, time_ms, COALESCE(epoch, -1)::float8, attempt::float8]) AS mx, count(*)::int AS n
        FROM ins WHERE value <> 'NaN' GROUP BY key, step / ${ROLLUP_WIDTHS[0]})`,
    ...ROLLUP_WIDTHS.slice(1).map(
      (width, i) => `rollup_${width} AS (
        SELECT key, block / ${width / ROLLUP_WIDTHS[i]!} AS block, min(mn) AS mn, max(mx) AS mx, sum(n)::int AS n
        FROM rollup_${ROLLUP_WIDTHS[i]} GROUP BY key, block / ${width / ROLLUP_WIDTHS[i]!})`,
    ),
    `rollup_levels AS (${ROLLUP_WIDTHS.map((w) => `SELECT key, ${w} AS width, block, mn, mx, n FROM rollup_${w}`).join(" UNION ALL ")})`,
  ].join(", "),
);

type SeriesInput = z.output<typeof metricsSeriesInput>;

interface Extent {
  runId: string;
  key: string;
  /** First and last step of the (windowed) series. */
  s0: number;
  s1: number;
  count: number;
}

interface Point {
  step: number;
  value: number;
  time: number;
  epoch: number | null;
  attempt: number;
}

/**
 * The widest rollup no wider than two buckets: between half and twice as many blocks as buckets,
 * so the answer fills at least half of `maxPoints` while reading at most about `maxPoints` rows.
 */
export function rollupWidthFor(stepRange: number, buckets: number): number {
  const limit = (2 * stepRange) / buckets;
  let chosen: number = ROLLUP_WIDTHS[0];
  for (const width of ROLLUP_WIDTHS) if (width <= limit) chosen = width;
  return chosen;
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
    attempts: sorted.map((p) => p.attempt),
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

/** Every point of each (windowed) series; used when a series or its window is short. */
async function readRawPoints(database: Database, extents: Extent[]): Promise<Map<string, Point[]>> {
  const rows = await database.query<{
    run_id: string;
    key: string;
    step: number;
    value: number;
    time_ms: number;
    epoch: number | null;
    attempt: number;
  }>(sql`
    WITH ext AS (SELECT * FROM unnest(${extentParams(extents)}) AS t(run_id, key, s0, s1))
    SELECT p.run_id::text AS run_id, p.key, p.step::float8 AS step, p.value, p.time_ms, p.epoch, p.attempt
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
      attempt: Number(r.attempt),
    });
    out.set(id, list);
  }
  return out;
}

/** Extremes of the raw points of one series between two steps (a partial block at a window's end). */
function edgeExtremes(from: SQL, to: SQL): SQL {
  return sql`
    SELECT min(ARRAY[p.value, p.step::float8, p.time_ms, COALESCE(p.epoch, -1)::float8, p.attempt::float8]) AS mn,
      max(ARRAY[p.value, -p.step::float8, p.time_ms, COALESCE(p.epoch, -1)::float8, p.attempt::float8]) AS mx, count(*) AS n
    FROM metric_points p
    WHERE p.run_id = ext.run_id AND p.key = ext.key AND p.step BETWEEN ${from} AND ${to} AND p.value <> 'NaN'`;
}

/**
 * `[value, step, time, epoch, attempt]` as stored in a rollup (`mx` holds -step so ties pick the
 * first step; rollups written before attempts were recorded have no attempt: 1).
 */
function toPoint(p: readonly number[], negatedStep: boolean): Point {
  const e = p[3]!;
  return {
    value: p[0]!,
    step: negatedStep ? -p[1]! : p[1]!,
    time: p[2]!,
    epoch: e < 0 ? null : e,
    attempt: p[4]!,
  };
}

const lower = (a: Point | undefined, b: Point) =>
  !a || b.value < a.value || (b.value === a.value && b.step < a.step) ? b : a;
const higher = (a: Point | undefined, b: Point) =>
  !a || b.value > a.value || (b.value === a.value && b.step < a.step) ? b : a;

/**
 * Per bucket, the minimum and maximum point. A bucket is one rollup block when a rollup as wide as
 * a bucket exists (else a run of whole blocks), so its extremes are exact; the partial blocks at the
 * window's two ends are read from the raw points and count as one bucket each. The window's first
 * and last points are added too. Each series comes back as one row of packed binary doubles
 * (12 per part: block, min value/step/time/epoch/attempt, max value/-step/time/epoch/attempt, count): printing and
 * parsing hundreds of thousands of doubles as text would cost more than the query itself.
 */
async function readBucketExtremes(
  database: Database,
  extents: (Extent & { width: number })[],
  buckets: number,
): Promise<Map<string, { points: Point[]; total: number }>> {
  const packed = await database.query<{ i: number; parts: Uint8Array | null }>(sql`
    WITH ext AS (
      SELECT i::int, run_id, key, s0, s1, width, (s0 + width - 1) / width AS b0, (s1 + 1) / width - 1 AS b1
      FROM unnest(${extentParams(extents)}, ${numberArrayLiteral(extents.map((e) => e.width))}::int8[])
        WITH ORDINALITY AS t(run_id, key, s0, s1, width, i)
    )
    -- One aggregate per series (LATERAL): no sort of every row, and each rollup read stays an
    -- index range scan (a plain join may be planned as a hash join over the whole table).
    SELECT ext.i, agg.parts FROM ext CROSS JOIN LATERAL (
      SELECT string_agg(float8send(block) || float8send(mn[1]) || float8send(mn[2]) || float8send(mn[3])
        || float8send(mn[4]) || float8send(COALESCE(mn[5], 1)) || float8send(mx[1]) || float8send(mx[2])
        || float8send(mx[3]) || float8send(mx[4]) || float8send(COALESCE(mx[5], 1)) || float8send(n), ''::bytea) AS parts
      FROM (
        SELECT block::float8 AS block, mn, mx, n::float8 AS n FROM metric_rollups
        WHERE run_id = ext.run_id AND key = ext.key AND width = ext.width AND block BETWEEN ext.b0 AND ext.b1
        UNION ALL
        SELECT -1, edge.mn, edge.mx, edge.n
        FROM (${edgeExtremes(sql`ext.s0`, sql`LEAST(ext.b0 * ext.width - 1, ext.s1)`)}) edge
        UNION ALL
        SELECT -2, edge.mn, edge.mx, edge.n
        FROM (${edgeExtremes(sql`GREATEST((ext.b1 + 1) * ext.width, ext.b0 * ext.width)`, sql`ext.s1`)}) edge
        UNION ALL
        SELECT -3,
          (SELECT ARRAY[p.value, p.step::float8, p.time_ms, COALESCE(p.epoch, -1)::float8, p.attempt::float8]
            FROM metric_points p WHERE p.run_id = ext.run_id AND p.key = ext.key AND p.step >= ext.s0
            ORDER BY p.step LIMIT 1),
          (SELECT ARRAY[p.value, -p.step::float8, p.time_ms, COALESCE(p.epoch, -1)::float8, p.attempt::float8]
            FROM metric_points p WHERE p.run_id = ext.run_id AND p.key = ext.key AND p.step <= ext.s1
            ORDER BY p.step DESC LIMIT 1),
          0
      ) parts WHERE mn IS NOT NULL AND mx IS NOT NULL
    ) agg`);
  const out = new Map<string, { points: Point[]; total: number }>();
  for (const row of packed) {
    const extent = extents[Number(row.i) - 1];
    if (!extent) continue;
    const b0 = Math.ceil(extent.s0 / extent.width);
    const blocks = Math.max(1, Math.floor((extent.s1 + 1) / extent.width) - b0);
    const perBucket = Math.min(buckets, blocks);
    const mins: (Point | undefined)[] = [];
    const maxs: (Point | undefined)[] = [];
    const points: Point[] = [];
    let total = 0;
    const bytes = row.parts ?? new Uint8Array(0);
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    for (let offset = 0; offset + 96 <= bytes.byteLength; offset += 96) {
      const at = (k: number) => view.getFloat64(offset + 8 * k); // float8send is big-endian
      total += at(11);
      const mn = toPoint([at(1), at(2), at(3), at(4), at(5)], false);
      const mx = toPoint([at(6), at(7), at(8), at(9), at(10)], true);
      const b = at(0);
      if (b < 0 || perBucket === blocks) {
        // Its own bucket: an end point, an edge, or one block per bucket.
        points.push(mn, mx);
      } else {
        const bucket = Math.floor(((b - b0) * perBucket) / blocks);
        mins[bucket] = lower(mins[bucket], mn);
        maxs[bucket] = higher(maxs[bucket], mx);
      }
    }
    for (const p of [...mins, ...maxs]) if (p) points.push(p);
    out.set(seriesId(extent.runId, extent.key), { points, total });
  }
  return out;
}

/**
 * Many runs x many keys. A series with more than `maxPoints` points is cut into at most
 * `(maxPoints - 2) / 2` step buckets aligned to the rollups kept at ingest, and keeps each bucket's
 * minimum and maximum point (NaN left out) plus its first and last point, so spikes survive and no
 * answer exceeds `maxPoints`. Long series read about one rollup row per bucket, not every point.
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
    }))
    .filter((e) => e.s0 <= e.s1);

  const raw: Extent[] = [];
  const rolled: (Extent & { width: number })[] = [];
  for (const e of extents) {
    const span = e.s1 - e.s0 + 1;
    if ((!windowed && e.count <= input.maxPoints) || span <= 2 * input.maxPoints) raw.push(e);
    else rolled.push({ ...e, width: rollupWidthFor(span, Math.max(1, buckets - 2)) });
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
    // Two buckets go to the partial blocks at the window's ends, so the answer stays within maxPoints.
    const extremes = await readBucketExtremes(database, rolled, Math.max(1, buckets - 2));
    for (const e of rolled) {
      const found = extremes.get(seriesId(e.runId, e.key)) ?? { points: [], total: 0 };
      const total = windowed ? found.total : e.count;
      result.set(seriesId(e.runId, e.key), toSeries(e, found.points, total > input.maxPoints, total));
    }
  }

  const empty = (runId: string, key: string): MetricSeries => ({
    runId,
    key,
    steps: [],
    values: [],
    times: [],
    epochs: [],
    attempts: [],
    total: 0,
    downsampled: false,
  });
  return [...new Set(input.runIds)].flatMap((runId) =>
    [...new Set(input.keys)].map((key) => result.get(seriesId(runId, key)) ?? empty(runId, key)),
  );
}
