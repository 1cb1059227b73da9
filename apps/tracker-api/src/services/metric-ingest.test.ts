import { runsCreateInput } from "@labtrack/schemas";
import { sql } from "drizzle-orm";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { foldedFromScratch } from "../test-support/metric-folds.ts";
import { DB_KINDS, startTestServer, type TestServer } from "../test-support/test-server.ts";
import type { IngestColumns } from "./metric-fold.ts";
import { type IngestMode, insertBatch } from "./metric-ingest.ts";

/** Everything a run's ingest left behind, without the run id: points, summaries, rollups. */
async function storedOf(server: TestServer, runId: string) {
  const points = await server.database.query(sql`
    SELECT key, step::float8 AS step, value, time_ms, epoch, attempt FROM metric_points
    WHERE run_id = ${runId}::uuid ORDER BY key, step`);
  const summaries = await server.database.query(sql`
    SELECT key, first_step::float8 AS first_step, last, last_step::float8 AS last_step, min,
      min_step::float8 AS min_step, max, max_step::float8 AS max_step, count::float8 AS count
    FROM metric_summaries WHERE run_id = ${runId}::uuid ORDER BY key`);
  const rollups = await server.database.query(sql`
    SELECT key, width, block::float8 AS block, mn, mx, n FROM metric_rollups
    WHERE run_id = ${runId}::uuid ORDER BY key, width, block`);
  return { points, summaries, rollups };
}

const value = fc.oneof(
  { weight: 6, arbitrary: fc.integer({ min: -3, max: 3 }) },
  { weight: 3, arbitrary: fc.double({ noNaN: true }) },
  {
    weight: 1,
    arbitrary: fc.constantFrom(Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, -0),
  },
);
const point = fc.record({
  key: fc.constantFrom("loss", "val/acc", "lr"),
  step: fc.integer({ min: 0, max: 5_000 }),
  value,
  time: fc.integer({ min: 1_700_000_000_000, max: 1_700_000_100_000 }),
  epoch: fc.option(fc.integer({ min: 0, max: 20 }), { nil: undefined }),
});
/** Batches whose (key, step)s are all distinct, within and across batches (each stored whole). */
const batches = fc
  .uniqueArray(point, { minLength: 1, maxLength: 120, selector: (p) => `${p.key} ${p.step}` })
  .chain((points) =>
    fc
      .array(fc.integer({ min: 0, max: 3 }), { minLength: points.length, maxLength: points.length })
      .map((cut) => {
        const out: (typeof points)[] = [[], [], [], []];
        for (const [i, p] of points.entries()) out[cut[i]!]!.push(p);
        return out.filter((b) => b.length > 0);
      }),
  );

interface TestPoint {
  key: string;
  step: number;
  value: number;
  time: number;
  epoch?: number | undefined;
}

const columnsOf = (points: readonly TestPoint[]): IngestColumns => ({
  keys: points.map((p) => p.key),
  steps: points.map((p) => p.step),
  values: points.map((p) => p.value),
  times: points.map((p) => p.time),
  epochs: points.map((p) => p.epoch),
});

describe.each(DB_KINDS)("metric ingest on %s", (kind) => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer(kind);
  });
  afterAll(() => server.close());

  const newRun = async () =>
    (await server.services.runs.create(runsCreateInput.parse({ project: "ingest" }), "test")).id;

  it("stores the same points, summaries and rollups folding a whole batch in the API as folding inserted rows in SQL", async () => {
    await fc.assert(
      fc.asyncProperty(batches, fc.integer({ min: 1, max: 3 }), async (list, attempt) => {
        const stored: Record<IngestMode, Awaited<ReturnType<typeof storedOf>>> = {} as never;
        for (const mode of ["new", "skip-stored"] as const) {
          const runId = await newRun();
          for (const batch of list) {
            const inserted = await insertBatch(server.database, runId, attempt, columnsOf(batch), mode);
            expect(inserted).toBe(batch.length);
          }
          stored[mode] = await storedOf(server, runId);
        }
        expect(stored.new).toEqual(stored["skip-stored"]);
        expect(stored.new.points.length).toBe(list.flat().length);
      }),
      { numRuns: 25 },
    );
  });

  it("refuses, changing nothing, a whole-batch insert that meets a stored point or repeats a step", async () => {
    const runId = await newRun();
    const first = { key: "loss", step: 1, value: 0.5, time: 1_700_000_000_000, epoch: undefined };
    await insertBatch(server.database, runId, 1, columnsOf([first]), "new");
    const before = await storedOf(server, runId);
    const again = [
      { ...first, step: 2 },
      { ...first, value: 9 },
    ];
    const repeated = [
      { ...first, step: 3 },
      { ...first, step: 3, value: 7 },
    ];
    for (const batch of [again, repeated]) {
      await expect(
        server.database.transaction(() => insertBatch(server.database, runId, 1, columnsOf(batch), "new")),
      ).rejects.toMatchObject({ cause: { code: "23505" } });
      expect(await storedOf(server, runId)).toEqual(before);
    }
  });

  it("stores a re-sent batch, a batch repeating a step and concurrent writers of the same steps once each, with summaries and rollups from the points", async () => {
    const runId = await newRun();
    const batch = (from: number, to: number, v: number) =>
      Array.from({ length: to - from }, (_, i) => ({
        key: i % 2 ? "loss" : "acc",
        step: from + i,
        value: v + i,
      }));
    expect(await server.services.metrics.log(runId, batch(0, 100, 1))).toEqual({
      inserted: 100,
      received: 100,
    });
    const once = await storedOf(server, runId);
    expect(await server.services.metrics.log(runId, batch(0, 100, 50))).toEqual({
      inserted: 0,
      received: 100,
    });
    expect(await storedOf(server, runId)).toEqual(once);
    const withRepeat = [...batch(100, 110, 3), { key: "acc", step: 100, value: -5 }];
    expect(await server.services.metrics.log(runId, withRepeat)).toEqual({ inserted: 10, received: 11 });
    // Eight writers, overlapping steps: each step is stored once, by one of them.
    const results = await Promise.all(
      Array.from({ length: 8 }, (_, w) =>
        server.services.metrics.log(runId, batch(110 + w * 20, 170 + w * 20, w)),
      ),
    );
    expect(results.reduce((n, r) => n + r.inserted, 0)).toBe(170 + 7 * 20 - 110);
    const folded = await foldedFromScratch(server, runId);
    expect(folded.summaries).toEqual(folded.expectedSummaries);
    expect(folded.rollups).toEqual(folded.expectedRollups);
    const [{ n }] = (await server.database.query(
      sql`SELECT count(*)::int AS n FROM metric_points WHERE run_id = ${runId}::uuid`,
    )) as [{ n: number }];
    expect(n).toBe(310);
  });
});
