import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { SeriesData } from "./series-data.ts";
import {
  convertWindow,
  formatZoomParam,
  parseZoomParam,
  selectedWindow,
  stepWindowOf,
} from "./zoom-window.ts";

/** A run logging every `every` steps from `start` ms on, one step per `msPerStep`. */
function run(
  runId: string,
  steps: number,
  opts: { every?: number; start?: number; msPerStep?: number } = {},
) {
  const every = opts.every ?? 1;
  const list = Array.from({ length: steps }, (_, i) => i * every);
  const series: SeriesData = {
    runId,
    key: "loss",
    steps: list,
    values: list.map((s) => 1 / (1 + s)),
    times: list.map((s) => (opts.start ?? 0) + s * (opts.msPerStep ?? 1000)),
    epochs: list.map((s) => Math.floor(s / 100)),
    attempts: list.map(() => 1),
    total: steps,
    downsampled: false,
  };
  return series;
}

describe("the window a drag selects", () => {
  it("rounds steps and epochs outwards to whole numbers, in either drag direction", () => {
    expect(selectedWindow("step", 12.4, 27.2)).toEqual({ min: 12, max: 28 });
    expect(selectedWindow("epoch", 7.9, 2.1)).toEqual({ min: 2, max: 8 });
    expect(selectedWindow("step", -3.5, 20)).toEqual({ min: 0, max: 20 });
  });

  it("keeps times to the millisecond", () => {
    expect(selectedWindow("relative", 1.23456, 9.87654)).toEqual({ min: 1.234, max: 9.877 });
  });

  it("is no window for a click or a non-number", () => {
    expect(selectedWindow("step", 5, 5)).toBeNull();
    expect(selectedWindow("relative", Number.NaN, 3)).toBeNull();
  });
});

describe("the zoom in a URL", () => {
  it("reads back what it wrote", () => {
    fc.assert(
      fc.property(
        fc.double({ noNaN: true, noDefaultInfinity: true }),
        fc.double({ min: 1e-6, max: 1e9 }),
        (min, width) => {
          const window = { min: min + 0, max: min + width };
          fc.pre(window.max > window.min && Number.isFinite(window.max));
          expect(parseZoomParam(formatZoomParam(window))).toEqual(window);
        },
      ),
    );
  });

  it("is no zoom when missing, reversed, empty or not numbers", () => {
    for (const text of [null, "", "5", "5,5", "9,2", "a,b", "1,Infinity", "1,2,3", "NaN,4"]) {
      expect(parseZoomParam(text)).toBeNull();
    }
    expect(parseZoomParam("1200,5000")).toEqual({ min: 1200, max: 5000 });
  });
});

describe("a zoom carried to another x axis", () => {
  it("from steps to relative time covers what each run showed, interpolated between points", () => {
    const fast = run("a", 101, { every: 10, msPerStep: 500 });
    const slow = run("b", 101, { every: 10, start: 99_000, msPerStep: 2000 });
    // Steps 105-400: run a is at 52.5-200 s, run b at 210-800 s since its start.
    expect(convertWindow({ min: 105, max: 400 }, "step", "relative", [fast, slow])).toEqual({
      min: 52.5,
      max: 800,
    });
  });

  it("from relative time back to steps", () => {
    const a = run("a", 1000, { msPerStep: 250 });
    expect(convertWindow({ min: 10, max: 20 }, "relative", "step", [a])).toEqual({ min: 40, max: 80 });
  });

  it("from steps to wall time and epochs", () => {
    const a = run("a", 1000, { start: 1_700_000_000_000 });
    expect(convertWindow({ min: 100, max: 200 }, "step", "wall", [a])).toEqual({
      min: 1_700_000_100,
      max: 1_700_000_200,
    });
    expect(convertWindow({ min: 150, max: 420 }, "step", "epoch", [a])).toEqual({ min: 1, max: 4 });
  });

  it("is dropped when no run reaches into the window, or there are no runs", () => {
    expect(convertWindow({ min: 5000, max: 6000 }, "step", "relative", [run("a", 100)])).toBeNull();
    expect(convertWindow({ min: 1, max: 2 }, "step", "wall", [])).toBeNull();
  });

  it("stays as it is on the same axis", () => {
    expect(convertWindow({ min: 1, max: 2 }, "wall", "wall", [])).toEqual({ min: 1, max: 2 });
  });

  it("lands inside the runs' range on the new axis (property)", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 900 }), fc.integer({ min: 1, max: 900 }), (min, width) => {
        const a = run("a", 1000, { msPerStep: 100 });
        const window = convertWindow({ min, max: min + width }, "step", "relative", [a]);
        if (window === null) return;
        expect(window.min).toBeGreaterThanOrEqual(0);
        expect(window.max).toBeLessThanOrEqual(99.9 + 0.001);
        expect(window.min).toBeLessThanOrEqual(min / 10 + 0.001);
      }),
    );
  });
});

describe("the steps of a window", () => {
  it("is the window itself on the step axis, converted on others, everything without a zoom", () => {
    const a = run("a", 1000, { msPerStep: 250 });
    expect(stepWindowOf({ min: 3, max: 9 }, "step", undefined)).toEqual({ min: 3, max: 9 });
    expect(stepWindowOf({ min: 10, max: 20 }, "relative", [a])).toEqual({ min: 40, max: 80 });
    expect(stepWindowOf(null, "relative", [a])).toBeNull();
  });
});
