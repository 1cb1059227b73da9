import { describe, expect, it } from "vitest";
import {
  alignSeries,
  buildChartData,
  columnsForWidth,
  MAX_ALIGNED_COLUMNS,
  nonFinitePoints,
  onGrid,
  xValues,
} from "./chart-data.ts";
import { appendChunk, type SeriesData } from "./series-data.ts";

const chartData = (list: SeriesData[], opts: { xAxis: "step"; smoothing: number; logScale: boolean }) =>
  buildChartData(alignSeries(list, opts.xAxis), opts);

function series(runId: string, steps: number[], values: number[], times?: number[]): SeriesData {
  return {
    runId,
    key: "loss",
    steps,
    values,
    times: times ?? steps.map((s) => 1_700_000_000_000 + s * 1000),
    epochs: steps.map((s) => Math.floor(s / 10)),
    attempts: steps.map(() => 1),
    total: steps.length,
    downsampled: false,
  };
}

describe("chart data", () => {
  it("joins runs with different steps on one x column, leaving gaps empty (uPlot skips them)", () => {
    const data = chartData([series("a", [0, 2, 4], [1, 2, 3]), series("b", [1, 2], [5, 6])], {
      xAxis: "step",
      smoothing: 0,
      logScale: false,
    });
    expect(data.columns[0]).toEqual([0, 1, 2, 4]);
    expect([...(data.columns[1] ?? [])]).toStrictEqual([1, undefined, 2, 3]);
    expect([...(data.columns[2] ?? [])]).toStrictEqual([undefined, 5, 6, undefined]);
    expect(data.lines.map((l) => [l.runId, l.raw, l.smoothed, [...l.at]])).toEqual([
      ["a", 1, null, [0, 2, 3]],
      ["b", 2, null, [1, 2]],
    ]);
  });

  it("adds a debiased EMA curve beside the raw one when smoothing is on", () => {
    const data = chartData([series("a", [0, 1, 2], [0, 10, 10])], {
      xAxis: "step",
      smoothing: 0.5,
      logScale: false,
    });
    expect(data.columns[1]).toEqual([0, 10, 10]);
    // Debiased: the first smoothed point equals the first value, not half of it.
    const smoothed = data.columns[2] as number[];
    expect(smoothed[0]).toBe(0);
    expect(smoothed[1]).toBeCloseTo(20 / 3);
    expect(smoothed[2]).toBeCloseTo(60 / 7);
  });

  it("turns NaN and infinities into gaps, and non-positive values too on a log scale", () => {
    const values = [Number.NaN, Number.POSITIVE_INFINITY, 0, 2];
    expect([
      ...(chartData([series("a", [0, 1, 2, 3], values)], {
        xAxis: "step",
        smoothing: 0,
        logScale: false,
      }).columns[1] ?? []),
    ]).toStrictEqual([undefined, undefined, 0, 2]);
    expect([
      ...(chartData([series("a", [0, 1, 2, 3], values)], {
        xAxis: "step",
        smoothing: 0,
        logScale: true,
      }).columns[1] ?? []),
    ]).toStrictEqual([undefined, undefined, undefined, 2]);
  });

  it("lists each NaN and infinity with where it is, so the chart can mark it", () => {
    const aligned = alignSeries(
      [
        series("a", [0, 5, 10], [1, Number.NaN, 2]),
        series("b", [2, 5], [Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY]),
      ],
      "step",
    );
    expect(aligned.xs).toEqual([0, 2, 5, 10]);
    expect(nonFinitePoints(aligned.runs)).toEqual([
      { runId: "a", index: 2, kind: "nan" },
      { runId: "b", index: 1, kind: "+inf" },
      { runId: "b", index: 2, kind: "-inf" },
    ]);
  });

  it("puts many runs logged at different steps on one grid, keeping each bucket's extremes", () => {
    // 50 runs of 400 points at steps no other run shares: 20,000 distinct x values.
    const list = Array.from({ length: 50 }, (_, r) => {
      const steps = Array.from({ length: 400 }, (_, i) => i * 50 + r);
      return series(
        `r${r}`,
        steps,
        steps.map((s) => (s === 10_000 + r ? 99 : Math.sin(s))),
      );
    });
    const aligned = alignSeries(list, "step");
    expect(aligned.xs.length).toBeLessThanOrEqual(MAX_ALIGNED_COLUMNS);
    // Every run keeps its spike and starts and ends where it did, within one bucket.
    const bucket = (aligned.xs.at(-1)! - aligned.xs[0]!) / (MAX_ALIGNED_COLUMNS / 2);
    aligned.runs.forEach((run, r) => {
      expect(Math.max(...run.values)).toBe(99);
      expect(aligned.xs[run.at[0]!]).toBeLessThanOrEqual(r);
      expect(aligned.xs[run.at[run.at.length - 1]!]! + bucket).toBeGreaterThanOrEqual(399 * 50 + r);
    });
  });

  it("puts the runs on a grid as fine as the plot is wide, spikes kept", () => {
    const list = Array.from({ length: 50 }, (_, r) => {
      const steps = Array.from({ length: 400 }, (_, i) => i * 50 + r);
      return series(
        `r${r}`,
        steps,
        steps.map((s) => (s === 10_000 + r ? 99 : Math.sin(s))),
      );
    });
    expect(columnsForWidth(380)).toBe(760);
    expect(columnsForWidth(0)).toBe(MAX_ALIGNED_COLUMNS);
    expect(columnsForWidth(5000)).toBe(MAX_ALIGNED_COLUMNS);
    const aligned = alignSeries(list, "step", columnsForWidth(380));
    expect(aligned.xs.length).toBeLessThanOrEqual(760);
    for (const run of aligned.runs) expect(Math.max(...run.values)).toBe(99);
  });

  it("keeps a bucket's lowest and highest value in their order, or the NaN logged there", () => {
    const grid = onGrid({ xs: [0, 1, 2, 3, 10, 11, 12], values: [5, 9, 1, 4, 2, Number.NaN, 3] }, 0, 20, 2);
    expect(grid.xs).toEqual([0, 5, 10]);
    expect(grid.values.slice(0, 2)).toEqual([9, 1]);
    expect(grid.values[2]).toBeNaN();
  });

  it("measures x in epochs, seconds since the run started, or wall-clock seconds", () => {
    const s = series("a", [0, 10, 25], [1, 2, 3], [5000, 7000, 9500]);
    expect(xValues(s, "epoch")).toEqual([0, 1, 2]);
    expect(xValues(s, "relative")).toEqual([0, 2, 4.5]);
    expect(xValues(s, "wall")).toEqual([5, 7, 9.5]);
  });

  it("appends live points after the last step only", () => {
    const base = series("a", [0, 1], [1, 2]);
    const grown = appendChunk(base, {
      key: "loss",
      steps: [1, 2, 3],
      values: [9, "NaN", 4],
      times: [1, 2, 3],
      epochs: [null, null, null],
      attempts: [1, 1, 1],
    });
    expect(grown.steps).toEqual([0, 1, 2, 3]);
    expect(grown.values).toEqual([1, 2, Number.NaN, 4]);
    expect(grown.total).toBe(4);
  });

  it("lets a later attempt's live points replace the ones shown at the same steps", () => {
    const base = series("a", [0, 1, 2, 3], [1, 2, 3, 4]);
    const grown = appendChunk(base, {
      key: "loss",
      steps: [2, 3, 4],
      values: [30, 40, 50],
      times: [2, 3, 4],
      epochs: [null, null, null],
      attempts: [2, 2, 2],
    });
    expect(grown.steps).toEqual([0, 1, 2, 3, 4]);
    expect(grown.values).toEqual([1, 2, 30, 40, 50]);
    expect(grown.attempts).toEqual([1, 1, 2, 2, 2]);
    expect(grown.total).toBe(5);
    // The same attempt again changes nothing at steps it already has.
    const again = appendChunk(grown, { ...grownChunk(), attempts: [2] });
    expect(again.values).toEqual(grown.values);
  });
});

const grownChunk = () => ({
  key: "loss",
  steps: [3],
  values: [99],
  times: [3],
  epochs: [null],
  attempts: [2],
});
