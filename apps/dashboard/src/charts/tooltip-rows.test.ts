import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { alignSeries, buildChartData } from "./chart-data.ts";
import type { SeriesData } from "./series-data.ts";
import { nearestRun, topTooltipRows, valuesAtIndex } from "./tooltip-rows.ts";

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

function chart(list: SeriesData[], smoothing = 0) {
  return buildChartData(alignSeries(list, "step"), { smoothing, logScale: false });
}

describe("tooltip rows", () => {
  it("lists only runs that have a point at, or on both sides of, the hovered x", () => {
    // "short" stopped at step 10; "long" goes on to 20.
    const data = chart([series("short", [0, 10], [1, 3]), series("long", [0, 4, 20], [5, 6, 7])]);
    const xs = data.columns[0];
    expect(xs).toEqual([0, 4, 10, 20]);
    expect(valuesAtIndex(data.lines, xs, 3)).toEqual([{ runId: "long", value: 7, interpolated: false }]);
    // At step 4 "short" is read off the straight line between its steps 0 and 10.
    expect(valuesAtIndex(data.lines, xs, 1)).toEqual([
      { runId: "short", value: 1.8, interpolated: true },
      { runId: "long", value: 6, interpolated: false },
    ]);
  });

  it("shows a logged NaN as NaN at its step, not the value of an earlier step", () => {
    const data = chart([series("a", [0, 1, 2], [0.5, Number.NaN, 0.25])]);
    const at1 = valuesAtIndex(data.lines, data.columns[0], 1);
    expect(at1).toHaveLength(1);
    expect(at1[0]?.value).toBeNaN();
    expect(at1[0]?.interpolated).toBe(false);
    const inf = chart([series("a", [0, 1], [1, Number.POSITIVE_INFINITY])]);
    expect(valuesAtIndex(inf.lines, inf.columns[0], 1)[0]?.value).toBe(Number.POSITIVE_INFINITY);
  });

  it("reads the smoothed curve when smoothing is on, but a NaN stays NaN", () => {
    const data = chart([series("a", [0, 1, 2], [0, 10, Number.NaN])], 0.5);
    const xs = data.columns[0];
    expect(valuesAtIndex(data.lines, xs, 1)[0]?.value).toBeCloseTo(20 / 3);
    expect(valuesAtIndex(data.lines, xs, 2)[0]?.value).toBeNaN();
  });

  it("never lists a run outside the steps it logged (property)", () => {
    const run = fc.uniqueArray(fc.integer({ min: 0, max: 200 }), { minLength: 1, maxLength: 30 });
    fc.assert(
      fc.property(fc.array(run, { minLength: 1, maxLength: 6 }), (stepLists) => {
        const list = stepLists.map((steps, r) => {
          const sorted = [...steps].sort((a, b) => a - b);
          return series(
            `r${r}`,
            sorted,
            sorted.map((s) => s / 10),
          );
        });
        const data = chart(list);
        const xs = data.columns[0];
        for (let index = 0; index < xs.length; index++) {
          const x = xs[index] ?? 0;
          for (const row of valuesAtIndex(data.lines, xs, index)) {
            const own = list.find((s) => s.runId === row.runId)?.steps ?? [];
            expect(x).toBeGreaterThanOrEqual(own[0] ?? 0);
            expect(x).toBeLessThanOrEqual(own.at(-1) ?? 0);
            // Values here are step / 10, so interpolation must give exactly x / 10.
            expect(row.value).toBeCloseTo(x / 10);
          }
        }
      }),
    );
  });

  it("keeps the top runs, NaN first, and always the highlighted one", () => {
    const values = [0.1, 0.9, 0.5, Number.NaN, 0.3].map((value, i) => ({
      runId: `r${i}`,
      value,
      interpolated: false,
    }));
    const top = topTooltipRows(values, 3, null);
    expect(top.rows.map((r) => r.runId)).toEqual(["r3", "r1", "r2"]);
    expect(top.more).toBe(2);
    const withLow = topTooltipRows(values, 3, "r0");
    expect(withLow.rows.map((r) => r.runId)).toEqual(["r3", "r1", "r0"]);
    expect(withLow.more).toBe(2);
  });

  it("picks the run whose curve passes nearest the pointer", () => {
    const values = [
      { runId: "low", value: 0.1, interpolated: false },
      { runId: "high", value: 0.9, interpolated: false },
      { runId: "bad", value: Number.NaN, interpolated: false },
    ];
    // y grows downwards: value 1 at the top (0 px), value 0 at the bottom (100 px).
    const toPixel = (v: number) => (1 - v) * 100;
    expect(nearestRun(values, toPixel, 5)).toBe("high");
    expect(nearestRun(values, toPixel, 80)).toBe("low");
    expect(nearestRun([], toPixel, 10)).toBeNull();
  });
});
