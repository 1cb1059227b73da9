import { describe, expect, it } from "vitest";
import { alignSeries } from "./chart-data.ts";
import { denseValues, groupCurves } from "./group-curves.ts";
import { buildGroupedChartData } from "./grouped-chart.ts";
import type { SeriesData } from "./series-data.ts";

function series(runId: string, steps: number[], values: number[]): SeriesData {
  return {
    runId,
    key: "loss",
    steps,
    values,
    times: steps,
    epochs: steps.map(() => null),
    attempts: steps.map(() => 1),
    total: 0,
    downsampled: false,
  };
}

describe("grouped curves", () => {
  it("averages a group's runs at each x and bands them from min to max", () => {
    const aligned = alignSeries(
      [series("a", [0, 10], [1, 3]), series("b", [0, 10], [3, 5]), series("c", [0, 10], [10, 10])],
      "step",
    );
    const curves = groupCurves(
      aligned,
      new Map([
        ["lr=0.1", ["a", "b"]],
        ["lr=1", ["c"]],
      ]),
      0,
    );
    expect(curves.map((c) => [c.id, c.mean, c.min, c.max, c.count])).toEqual([
      ["group:lr=0.1", [2, 4], [1, 3], [3, 5], [2, 2]],
      ["group:lr=1", [10, 10], [10, 10], [10, 10], [1, 1]],
    ]);
  });

  it("reads runs logged at different steps off their lines, and drops a run once it has ended", () => {
    const aligned = alignSeries(
      [series("a", [0, 10, 20], [0, 10, 20]), series("b", [5, 10], [1, 1])],
      "step",
    );
    expect(aligned.xs).toEqual([0, 5, 10, 20]);
    const [curve] = groupCurves(aligned, new Map([["all", ["a", "b"]]]), 0);
    // At 5: a is 5 (between 0 and 10), b is 1. At 20 only a is left.
    expect(curve?.mean).toEqual([0, 3, 5.5, 20]);
    expect(curve?.count).toEqual([1, 2, 2, 1]);
  });

  it("smooths each run before averaging, and leaves NaN out", () => {
    const aligned = alignSeries(
      [series("a", [0, 1, 2], [0, 10, 10]), series("b", [0, 1, 2], [0, Number.NaN, 10])],
      "step",
    );
    const [smoothed] = groupCurves(aligned, new Map([["g", ["a"]]]), 0.5);
    expect(smoothed?.mean[1]).toBeCloseTo(20 / 3);
    const [withNaN] = groupCurves(aligned, new Map([["g", ["a", "b"]]]), 0);
    expect(withNaN?.count).toEqual([2, 1, 2]);
    expect(withNaN?.mean).toEqual([0, 10, 10]);
    expect(denseValues(aligned.runs[1]!, aligned.runs[1]!.values, 3)).toEqual([0, null, 10]);
  });

  it("lays out mean, min and max per group for uPlot, and skips groups with no shown run", () => {
    const aligned = alignSeries([series("a", [0, 1], [1, 2]), series("b", [0, 1], [3, 4])], "step");
    const data = buildGroupedChartData(
      aligned,
      new Map([
        ["x", ["a", "b"]],
        ["hidden", ["z"]],
      ]),
      { smoothing: 0, logScale: false },
    );
    expect(data.columns).toEqual([
      [0, 1],
      [2, 3],
      [1, 2],
      [3, 4],
    ]);
    expect(data.lines.map((l) => [l.runId, l.raw, [...l.at], l.values])).toEqual([
      ["group:x", 1, [0, 1], [2, 3]],
    ]);
  });
});
