import { metricsSeriesInput, runnersRegisterInput } from "@labtrack/schemas";
import { sql } from "drizzle-orm";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { foldedFromScratch } from "../test-support/metric-folds.ts";
import { DB_KINDS, startTestServer, type TestServer } from "../test-support/test-server.ts";
import { reapExpiredLeases } from "./lease-reaper.ts";

describe.each(DB_KINDS)("metrics of a retried run on %s", (kind) => {
  let server: TestServer;
  const leaseMs = 300;

  beforeAll(async () => {
    server = await startTestServer(kind, {
      queueSettings: { leaseMs, heartbeatMs: 100, reaperIntervalMs: 60_000 },
    });
  });
  afterAll(() => server.close());

  const points = (from: number, to: number, value: (step: number) => number) =>
    Array.from({ length: to - from + 1 }, (_, i) => ({
      key: "loss",
      step: from + i,
      value: value(from + i),
    }));
  const seriesOf = async (runId: string, maxPoints = 1000) => {
    const [series] = await server.services.metrics.series(
      metricsSeriesInput.parse({ runIds: [runId], keys: ["loss"], maxPoints }),
    );
    return series!;
  };

  it("keeps attempt 2's values at the steps both attempts logged, and says where attempt 2 began", async () => {
    const run = await server.services.queue.enqueue(
      {
        project: "retried",
        tags: [],
        config: {},
        spec: { kind: "command", command: "true", env: {} },
        queue: "retried",
        priority: 0,
        requirements: { gpus: 0, labels: [] },
        maxAttempts: 3,
      },
      "test",
    );
    const { runnerId } = await server.services.runners.register(
      runnersRegisterInput.parse({
        name: "retried",
        queues: ["retried"],
        capabilities: { hostname: "h", gpus: [], backends: ["cpu"], cpus: 1, memoryMb: 1 },
        slots: [{ index: 0, gpuIndices: [] }],
      }),
      { tokenId: null, scope: "admin" },
    );
    expect((await server.services.runners.claim({ runnerId, slot: 0, waitMs: 0 }))?.id).toBe(run.id);
    expect(
      await server.services.metrics.log(
        run.id,
        points(0, 9, (s) => 100 + s),
      ),
    ).toEqual({
      inserted: 10,
      received: 10,
    });

    // The runner dies: its lease expires, the run is queued again and claimed for attempt 2.
    await new Promise((resolve) => setTimeout(resolve, leaseMs + 100));
    expect(await reapExpiredLeases(server.database, server.services.runs, server.services.queue.signal)).toBe(
      1,
    );
    expect((await server.services.runners.claim({ runnerId, slot: 0, waitMs: 0 }))?.id).toBe(run.id);
    expect((await server.services.runs.get(run.id)).attempt).toBe(2);

    const attempt2 = points(5, 14, (s) => 200 + s);
    expect(await server.services.metrics.log(run.id, attempt2)).toEqual({ inserted: 10, received: 10 });
    // A re-sent batch within the attempt stays idempotent; a second value at a step keeps the first.
    expect(await server.services.metrics.log(run.id, attempt2)).toEqual({ inserted: 0, received: 10 });
    expect(await server.services.metrics.log(run.id, [{ key: "loss", step: 7, value: -1 }])).toEqual({
      inserted: 0,
      received: 1,
    });

    const series = await seriesOf(run.id);
    expect(series.steps).toEqual(points(0, 14, (s) => s).map((p) => p.step));
    expect(series.values).toEqual([
      100,
      101,
      102,
      103,
      104,
      ...points(5, 14, (s) => 200 + s).map((p) => p.value),
    ]);
    expect(series.attempts).toEqual([1, 1, 1, 1, 1, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2]);
    expect(series.total).toBe(15);

    const summary = (await server.services.runs.get(run.id)).summary.loss;
    expect(summary).toMatchObject({
      last: 214,
      lastStep: 14,
      min: 100,
      minStep: 0,
      max: 214,
      maxStep: 14,
      count: 15,
    });
    expect(await server.services.metrics.attempts(run.id)).toMatchObject([
      { attempt: 1, firstStep: 0 },
      { attempt: 2, firstStep: 5 },
    ]);
    const folded = await foldedFromScratch(server, run.id);
    expect(folded.summaries).toEqual(folded.expectedSummaries);
    expect(folded.rollups).toEqual(folded.expectedRollups);
  });

  it("lets a replayed batch of an earlier attempt change nothing the later attempt wrote", async () => {
    const run = await server.services.runs.create({ project: "retried", tags: [], config: {} }, "test");
    await server.services.metrics.log(
      run.id,
      points(0, 9, (s) => 100 + s),
    );
    await server.database.query(sql`UPDATE runs SET attempt = 2 WHERE id = ${run.id}::uuid`);
    await server.services.metrics.log(
      run.id,
      points(5, 9, (s) => 200 + s),
      2,
    );
    // The lost attempt's runner comes back and replays its spool: steps 5..14 of attempt 1.
    expect(
      await server.services.metrics.log(
        run.id,
        points(5, 14, (s) => 100 + s),
        1,
      ),
    ).toEqual({
      inserted: 5,
      received: 10,
    });
    const series = await seriesOf(run.id);
    expect(series.values).toEqual([
      ...[100, 101, 102, 103, 104, 205, 206, 207, 208, 209],
      ...[110, 111, 112, 113, 114],
    ]);
    expect(series.attempts).toEqual([1, 1, 1, 1, 1, 2, 2, 2, 2, 2, 1, 1, 1, 1, 1]);
    // Attempt 2 reaching those steps replaces them in turn.
    expect(
      await server.services.metrics.log(
        run.id,
        points(10, 14, (s) => 200 + s),
        2,
      ),
    ).toEqual({
      inserted: 5,
      received: 5,
    });
    expect((await seriesOf(run.id)).attempts).toEqual([1, 1, 1, 1, 1, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2]);
    await expect(
      server.services.metrics.log(
        run.id,
        points(0, 0, () => 1),
        3,
      ),
    ).rejects.toThrow(/attempt: run .* is at attempt 2/);
    const folded = await foldedFromScratch(server, run.id);
    expect(folded.summaries).toEqual(folded.expectedSummaries);
    expect(folded.rollups).toEqual(folded.expectedRollups);
  });

  it("keeps summaries and rollups equal to the points after any replacement (property)", async () => {
    const value = fc.oneof(
      { weight: 8, arbitrary: fc.integer({ min: -50, max: 50 }) },
      { weight: 1, arbitrary: fc.constant(Number.NaN) },
    );
    const batch = fc.record({
      key: fc.constantFrom("a", "b"),
      from: fc.integer({ min: 0, max: 300 }),
      length: fc.integer({ min: 1, max: 120 }),
      values: fc.array(value, { minLength: 120, maxLength: 120 }),
    });
    // Attempts in order, each a few batches (steps may overlap within and across attempts).
    const plan = fc.array(fc.array(batch, { minLength: 1, maxLength: 3 }), { minLength: 2, maxLength: 3 });
    await fc.assert(
      fc.asyncProperty(plan, async (attempts) => {
        const run = await server.services.runs.create({ project: "retried", tags: [], config: {} }, "test");
        for (const [index, batches] of attempts.entries()) {
          // What the reaper does when it queues a lost run again.
          await server.database.query(sql`UPDATE runs SET attempt = ${index + 1} WHERE id = ${run.id}::uuid`);
          for (const b of batches) {
            const sent = Array.from({ length: b.length }, (_, i) => ({
              key: b.key,
              step: b.from + i,
              value: b.values[i]!,
            }));
            await server.services.metrics.log(run.id, sent);
          }
        }
        const folded = await foldedFromScratch(server, run.id);
        expect(folded.summaries).toEqual(folded.expectedSummaries);
        expect(folded.rollups).toEqual(folded.expectedRollups);
        // Each step holds the latest attempt that logged it, and the first value that attempt sent.
        const expected = new Map<string, { value: number; attempt: number }>();
        for (const [index, batches] of attempts.entries()) {
          for (const b of batches) {
            for (let i = 0; i < b.length; i++) {
              const id = `${b.key}:${b.from + i}`;
              const held = expected.get(id);
              if (!held || held.attempt < index + 1)
                expected.set(id, { value: b.values[i]!, attempt: index + 1 });
            }
          }
        }
        const stored = await server.database.query<{
          key: string;
          step: number;
          value: number;
          attempt: number;
        }>(
          sql`SELECT key, step::float8 AS step, value, attempt FROM metric_points WHERE run_id = ${run.id}::uuid`,
        );
        expect(stored.length).toBe(expected.size);
        for (const p of stored) {
          expect({ value: Number(p.value), attempt: Number(p.attempt) }).toEqual(
            expected.get(`${p.key}:${p.step}`),
          );
        }
      }),
      { numRuns: 12 },
    );
  });

  it("reports the attempt of downsampled points read from the rollups", async () => {
    const run = await server.services.runs.create({ project: "retried", tags: [], config: {} }, "test");
    await server.services.metrics.log(
      run.id,
      points(0, 4999, (s) => s % 97),
    );
    await server.database.query(sql`UPDATE runs SET attempt = 2 WHERE id = ${run.id}::uuid`);
    await server.services.metrics.log(
      run.id,
      points(3000, 5999, (s) => 1000 + (s % 89)),
    );
    const series = await seriesOf(run.id, 100);
    expect(series.downsampled).toBe(true);
    expect(series.total).toBe(6000);
    series.steps.forEach((step, i) => {
      expect(series.attempts[i]).toBe(step >= 3000 ? 2 : 1);
    });
    expect(Math.max(...series.values.map(Number))).toBe(1088);
  });
});
