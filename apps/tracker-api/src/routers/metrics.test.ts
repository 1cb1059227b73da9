import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  callProcedure,
  DB_KINDS,
  dataOf,
  startTestServer,
  type TestServer,
} from "../test-support/test-server.ts";

type Series = {
  runId: string;
  key: string;
  steps: number[];
  values: (number | string)[];
  total: number;
  downsampled: boolean;
};
type Summary = Record<
  string,
  {
    last: number | string;
    lastStep: number;
    min: number | null;
    minStep: number | null;
    max: number | null;
    maxStep: number | null;
    count: number;
  }
>;

describe.each(DB_KINDS)("metrics on %s", (kind) => {
  let server: TestServer;
  const call = (procedure: string, input: unknown, method: "query" | "mutation" = "mutation") =>
    callProcedure(server, server.adminToken, procedure, input, method);
  const newRun = async () => {
    const res = await call("runs.create", { project: "metrics" });
    return dataOf<{ id: string }>(res).id;
  };
  const series = async (input: unknown) => {
    const res = await call("metrics.series", input, "query");
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    return dataOf<Series[]>(res);
  };
  const summaryOf = async (runId: string) =>
    dataOf<{ summary: Summary }>(await call("runs.get", { runId }, "query")).summary;

  beforeAll(async () => {
    server = await startTestServer(kind);
  });
  afterAll(() => server.close());

  it("stores NaN and infinities as doubles, and a re-sent batch stores nothing twice", async () => {
    const runId = await newRun();
    const batch = [
      { key: "train/loss", step: 0, value: 2.5, epoch: 0 },
      { key: "train/loss", step: 1, value: "NaN", epoch: 0 },
      { key: "train/loss", step: 2, value: 0.5, epoch: 1, time: "2026-01-01T00:00:00Z" },
      { key: "grad_norm", step: 0, value: "Infinity" },
      { key: "grad_norm", step: 1, value: "-Infinity" },
    ];
    const first = await call("metrics.log", { runId, points: batch });
    expect(first.body.result?.data).toEqual({ inserted: 5, received: 5, runStatus: "running" });
    const before = await summaryOf(runId);
    const again = await call("metrics.log", { runId, points: batch });
    expect(again.body.result?.data).toEqual({ inserted: 0, received: 5, runStatus: "running" });
    expect(await summaryOf(runId)).toEqual(before);
    const [loss, grad] = await series({ runIds: [runId], keys: ["train/loss", "grad_norm"] });
    expect(loss).toMatchObject({ steps: [0, 1, 2], values: [2.5, "NaN", 0.5], total: 3, downsampled: false });
    expect((loss as unknown as { times: number[] }).times[2]).toBe(Date.parse("2026-01-01T00:00:00Z"));
    expect(grad).toMatchObject({ steps: [0, 1], values: ["Infinity", "-Infinity"] });
    expect(before["train/loss"]).toMatchObject({
      last: 0.5,
      lastStep: 2,
      min: 0.5,
      minStep: 2,
      max: 2.5,
      maxStep: 0,
      count: 3,
    });
  });

  it("tells live subscribers what was stored: the new batch, and the stored values of a partial re-send", async () => {
    const runId = await newRun();
    const events: { key: string; steps: number[]; values: unknown[] }[][] = [];
    const abort = new AbortController();
    const stream = server.services.bus.subscribe({ runIds: new Set([runId]) }, null, abort.signal);
    const collecting = (async () => {
      for await (const { event } of stream) if (event.kind === "metric") events.push(event.series);
    })();
    await call("metrics.log", {
      runId,
      points: [
        { key: "loss", step: 0, value: 1 },
        { key: "loss", step: 1, value: 0.5 },
      ],
    });
    // step 1 again with another value (first write wins), step 2 new
    await call("metrics.log", {
      runId,
      points: [
        { key: "loss", step: 1, value: 9 },
        { key: "loss", step: 2, value: 0.25 },
      ],
    });
    await call("metrics.log", { runId, points: [{ key: "loss", step: 2, value: 0.25 }] });
    await new Promise((resolve) => setTimeout(resolve, 50));
    abort.abort();
    await collecting;
    expect(events.map((series) => series.map((s) => [s.key, s.steps, s.values]))).toEqual([
      [["loss", [0, 1], [1, 0.5]]],
      [["loss", [1, 2], [0.5, 0.25]]],
    ]);
  });

  it("keeps each key's summary current as points arrive out of order", async () => {
    const runId = await newRun();
    await call("metrics.log", { runId, points: [{ key: "acc", step: 5, value: 0.7 }] });
    await call("metrics.log", {
      runId,
      points: [
        { key: "acc", step: 3, value: 0.9 },
        { key: "acc", step: 4, value: 0.1 },
      ],
    });
    await call("metrics.log", { runId, points: [{ key: "acc", step: 6, value: 0.8 }] });
    expect((await summaryOf(runId)).acc).toEqual({
      last: 0.8,
      lastStep: 6,
      min: 0.1,
      minStep: 4,
      max: 0.9,
      maxStep: 3,
      count: 4,
    });
  });

  it("downsamples long series on the server, keeping every bucket's extremes", async () => {
    const runId = await newRun();
    const n = 20_000;
    for (let start = 0; start < n; start += 10_000) {
      const points = Array.from({ length: 10_000 }, (_, i) => {
        const step = start + i;
        // a smooth curve with one spike up and one spike down that downsampling must keep
        const value = step === 12_345 ? 100 : step === 777 ? -100 : Math.sin(step / 500);
        return { key: "val/loss", step, value };
      });
      const res = await call("metrics.log", { runId, points });
      expect(res.body.result?.data).toEqual({ inserted: 10_000, received: 10_000, runStatus: "running" });
    }
    const [s] = await series({ runIds: [runId], keys: ["val/loss"], maxPoints: 500 });
    expect(s!.downsampled).toBe(true);
    expect(s!.total).toBe(n);
    expect(s!.steps.length).toBeLessThanOrEqual(500);
    expect(s!.steps.length).toBeGreaterThan(400);
    expect(s!.steps[0]).toBe(0);
    expect(s!.steps.at(-1)).toBe(n - 1);
    expect(s!.steps).toContain(12_345);
    expect(s!.steps).toContain(777);
    expect([...s!.steps].sort((a, b) => a - b)).toEqual(s!.steps);
    const zoomed = await series({
      runIds: [runId],
      keys: ["val/loss"],
      maxPoints: 500,
      stepMin: 12_300,
      stepMax: 12_400,
    });
    expect(zoomed[0]).toMatchObject({ total: 101, downsampled: false });
    expect(zoomed[0]!.steps).toHaveLength(101);
  });

  it("reads zoomed windows from the rollups and raw edges exactly as a full scan would bucket them", async () => {
    const runId = await newRun();
    let seed = 7;
    const random = () => {
      seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    const values = Array.from({ length: 30_000 }, (_, step) => (step % 997 === 0 ? Number.NaN : random()));
    for (let start = 0; start < values.length; start += 10_000) {
      const points = values.slice(start, start + 10_000).map((value, i) => ({
        key: "noise",
        step: start + i,
        value: Number.isNaN(value) ? "NaN" : value,
      }));
      await call("metrics.log", { runId, points });
    }
    const [lo, hi, maxPoints] = [1_000, 25_017, 200];
    const [s] = await series({ runIds: [runId], keys: ["noise"], maxPoints, stepMin: lo, stepMax: hi });
    expect(s!.downsampled).toBe(true);
    expect(s!.steps.length).toBeLessThanOrEqual(maxPoints);
    expect(s!.steps[0]).toBe(lo);
    expect(s!.steps.at(-1)).toBe(hi);
    expect(s!.steps.every((step) => step >= lo && step <= hi)).toBe(true);
    // Brute force over every point, with the server's buckets: 97 buckets of ~248 steps make it read
    // the 256-step rollups, one block per bucket, and the partial blocks at the two ends of the
    // window from the raw points, one bucket each. Every bucket's extremes must be in the answer.
    const width = 256;
    const [b0, b1] = [Math.ceil(lo / width), Math.floor((hi + 1) / width) - 1];
    const bucketOf = (step: number) => {
      if (step < b0 * width) return -1;
      if (step > (b1 + 1) * width - 1) return -2;
      return Math.floor(step / width);
    };
    const extremes = new Map<number, { min: number; minStep: number; max: number; maxStep: number }>();
    for (let step = lo; step <= hi; step++) {
      const value = values[step]!;
      if (Number.isNaN(value)) continue;
      const b = bucketOf(step);
      const e = extremes.get(b);
      if (!e) extremes.set(b, { min: value, minStep: step, max: value, maxStep: step });
      else {
        if (value < e.min) Object.assign(e, { min: value, minStep: step });
        if (value > e.max) Object.assign(e, { max: value, maxStep: step });
      }
    }
    expect(extremes.size).toBe(b1 - b0 + 1 + 2);
    const got = new Set(s!.steps);
    const missing = [...extremes.entries()].filter(([, e]) => !got.has(e.minStep) || !got.has(e.maxStep));
    expect(missing).toEqual([]);
    const all = values.slice(lo, hi + 1).filter((v) => !Number.isNaN(v));
    const globalMin = lo + values.slice(lo, hi + 1).indexOf(Math.min(...all));
    const globalMax = lo + values.slice(lo, hi + 1).indexOf(Math.max(...all));
    expect(got.has(globalMin) && got.has(globalMax)).toBe(true);
  });

  it("answers every requested run x key, empty where nothing was logged, and lists keys", async () => {
    const a = await newRun();
    const b = await newRun();
    await call("metrics.log", { runId: a, points: [{ key: "x", step: 0, value: 1 }] });
    await call("metrics.log", {
      runId: b,
      points: [
        { key: "y", step: 0, value: 2 },
        { key: "x", step: 0, value: 3 },
      ],
    });
    const out = await series({ runIds: [a, b], keys: ["x", "y"] });
    expect(out.map((s) => [s.runId === a ? "a" : "b", s.key, s.values])).toEqual([
      ["a", "x", [1]],
      ["a", "y", []],
      ["b", "x", [3]],
      ["b", "y", [2]],
    ]);
    const keys = await call("metrics.keys", { runIds: [a, b] }, "query");
    expect(keys.body.result?.data).toEqual([
      { key: "x", runs: 2, points: 2 },
      { key: "y", runs: 1, points: 1 },
    ]);
  });

  it("refuses a bad point or an oversized batch with the field named, and loses nothing stored", async () => {
    const runId = await newRun();
    await call("metrics.log", { runId, points: [{ key: "loss", step: 0, value: 1 }] });
    const bad = await call("metrics.log", {
      runId,
      points: [
        { key: "loss", step: 1, value: 0.5 },
        { key: "loss", step: 2, value: "lots" },
      ],
    });
    expect(bad.status).toBe(400);
    expect(bad.body.error?.message).toMatch(/points\.1\.value/);
    const negative = await call("metrics.log", { runId, points: [{ key: "loss", step: -1, value: 0.5 }] });
    expect(negative.body.error?.message).toMatch(/points\.0\.step/);
    const tooMany = await call("metrics.log", {
      runId,
      points: Array.from({ length: 10_001 }, (_, step) => ({ key: "loss", step, value: 1 })),
    });
    expect(tooMany.status).toBe(400);
    expect(tooMany.body.error?.message).toMatch(/points: .*10000/);
    const huge = await call("metrics.log", {
      runId,
      points: [{ key: "loss", step: 1, value: 1, pad: "x".repeat(9 * 1024 * 1024) }],
    });
    expect(huge.status).toBe(413);
    expect(huge.body.error?.message).toMatch(/larger than 8 MiB/);
    const unknownRun = await call("metrics.log", {
      runId: "00000000-0000-4000-8000-000000000000",
      points: [{ key: "loss", step: 0, value: 1 }],
    });
    expect(unknownRun.status).toBe(404);
    const [s] = await series({ runIds: [runId], keys: ["loss"] });
    expect(s).toMatchObject({ steps: [0], values: [1] });
  });
});
