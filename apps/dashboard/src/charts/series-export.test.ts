import { describe, expect, it } from "vitest";
import type { SeriesData } from "./series-data.ts";
import { exportExtent, fetchFullSeries, type SeriesFetch } from "./series-export.ts";

function series(runId: string, steps: number[], downsampled = false, total = steps.length): SeriesData {
  return {
    runId,
    key: "loss",
    steps,
    values: steps.map((s) => s / 10),
    times: steps.map((s) => 1000 * s),
    epochs: steps.map(() => null),
    attempts: steps.map(() => 1),
    total,
    downsampled,
  };
}

/** A server holding `lengths[i]` points (steps 0..n-1) for run i, downsampling past `maxPoints`. */
function fakeServer(lengths: Record<string, number>) {
  const calls: { stepMin: number; stepMax: number }[] = [];
  const fetch: SeriesFetch = async ({ runIds, stepMin, stepMax, maxPoints }) => {
    calls.push({ stepMin, stepMax });
    return runIds.flatMap((id) => {
      const steps: number[] = [];
      for (let s = stepMin; s <= Math.min(stepMax, (lengths[id] ?? 0) - 1); s++) steps.push(s);
      if (steps.length === 0) return [];
      if (steps.length <= maxPoints) return [series(id, steps)];
      const every = Math.ceil(steps.length / maxPoints);
      return [
        series(
          id,
          steps.filter((_, i) => i % every === 0),
          true,
          steps.length,
        ),
      ];
    });
  };
  return { fetch, calls };
}

describe("exporting a chart's series at full resolution", () => {
  it("estimates the steps and points of a window from the downsampled curves", () => {
    const overview = [series("a", [0, 500, 999], true, 1000), series("b", [0, 99], false, 100)];
    expect(exportExtent(overview, null)).toEqual({ min: 0, max: 999, points: 1100, densest: 1000 });
    expect(exportExtent(overview, { min: 900, max: 2000 })).toEqual({
      min: 900,
      max: 999,
      points: 100,
      densest: 100,
    });
    expect(exportExtent(overview, { min: 5000, max: 6000 })).toBeNull();
  });

  it("reads every point, in step order, in windows the server need not downsample", async () => {
    const server = fakeServer({ a: 300_000, b: 1000 });
    const extent = { min: 0, max: 299_999, points: 301_000, densest: 300_000 };
    const progress: number[] = [];
    const full = await fetchFullSeries(server.fetch, ["a", "b"], extent, (f) => progress.push(f));
    expect(full.map((s) => s.runId)).toEqual(["a", "b"]);
    const [a, b] = full;
    expect(a?.steps).toHaveLength(300_000);
    expect(a?.steps.every((step, i) => step === i)).toBe(true);
    expect(a?.values[12_345]).toBe(1234.5);
    expect(b?.steps).toEqual(Array.from({ length: 1000 }, (_, i) => i));
    expect(progress.at(-1)).toBe(1);
    // Windows of at most 20,000 steps of run a, none of them downsampled and asked for again.
    expect(server.calls).toHaveLength(15);
    expect(server.calls.at(-1)).toEqual({ stepMin: 280_000, stepMax: 299_999 });
    expect(server.calls.every((c) => c.stepMax >= c.stepMin)).toBe(true);
  });

  it("asks again in halves for a window the server still downsampled", async () => {
    const server = fakeServer({ a: 50_000 });
    // The estimate was wrong (the run is denser than its overview said).
    const [a] = await fetchFullSeries(server.fetch, ["a"], { min: 0, max: 49_999, points: 10, densest: 10 });
    expect(a?.steps).toHaveLength(50_000);
    expect(a?.steps.every((step, i) => step === i)).toBe(true);
    expect(server.calls[0]).toEqual({ stepMin: 0, stepMax: 49_999 });
  });

  it("reads only the zoomed window", async () => {
    const server = fakeServer({ a: 10_000 });
    const [a] = await fetchFullSeries(server.fetch, ["a"], {
      min: 2500,
      max: 2600,
      points: 101,
      densest: 101,
    });
    expect(a?.steps[0]).toBe(2500);
    expect(a?.steps).toHaveLength(101);
    expect(server.calls).toEqual([{ stepMin: 2500, stepMax: 2600 }]);
  });
});
