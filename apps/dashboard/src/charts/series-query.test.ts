import { describe, expect, it } from "vitest";
import { xValues } from "./chart-data.ts";
import type { SeriesData } from "./series-data.ts";
import { chartPointsFor, withOrigins } from "./series-query.ts";

describe("points per series", () => {
  it("asks for full detail up to 20 runs and fewer points per run beyond, never under 400", () => {
    expect(chartPointsFor(1)).toBe(1000);
    expect(chartPointsFor(20)).toBe(1000);
    expect(chartPointsFor(40)).toBe(500);
    expect(chartPointsFor(50)).toBe(400);
    expect(chartPointsFor(100)).toBe(400);
  });
});

describe("zoomed detail on a relative-time axis", () => {
  const series = (runId: string, steps: number[]): SeriesData => ({
    runId,
    key: "loss",
    steps,
    values: steps.map(() => 1),
    times: steps.map((s) => 10_000 + s * 1000),
    epochs: steps.map(() => null),
    attempts: steps.map(() => 1),
    total: steps.length,
    downsampled: false,
  });

  it("counts from the run's first point, not from the window's", () => {
    const overview = [series("a", [0, 50, 100])];
    const [detail] = withOrigins([series("a", [40, 41, 42]), series("b", [1, 2])], overview);
    expect(xValues(series("a", [40, 41, 42]), "relative")).toEqual([0, 1, 2]);
    expect(detail && xValues(detail, "relative")).toEqual([40, 41, 42]);
  });
});
