import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { downsampleMinMax } from "./downsample.ts";

const range = (n: number) => Array.from({ length: n }, (_, i) => i);

describe("downsampleMinMax", () => {
  it("returns every index when the series is short enough", () => {
    expect(downsampleMinMax([0, 1, 2], [5, 6, 7], 3)).toEqual([0, 1, 2]);
    expect(downsampleMinMax([], [], 10)).toEqual([]);
  });

  it("keeps a spike that a stride would miss", () => {
    const steps = range(1000);
    const values = steps.map((s) => (s === 537 ? 100 : Math.sin(s / 50)));
    const kept = downsampleMinMax(steps, values, 20);
    expect(kept.length).toBeLessThanOrEqual(20);
    expect(kept).toContain(537);
    expect(kept[0]).toBe(0);
    expect(kept.at(-1)).toBe(999);
  });

  it("keeps min and max per bucket", () => {
    // 4 points allowed: 1 bucket plus first and last.
    expect(downsampleMinMax([0, 1, 2, 3, 4, 5], [3, 9, 1, 4, 5, 2], 4)).toEqual([0, 1, 2, 5]);
    // 6 points: 2 buckets over steps 0..10 (width 5).
    const steps = [0, 1, 2, 3, 4, 6, 7, 8, 9, 10];
    const values = [5, 1, 7, 3, 2, 8, 0, 6, 9, 4];
    expect(downsampleMinMax(steps, values, 6)).toEqual([0, 1, 2, 6, 8, 9]);
  });

  it("buckets by step, not by index", () => {
    // Dense early steps, one late point: the late bucket holds only index 5.
    const steps = [0, 1, 2, 3, 4, 100];
    const values = [1, 5, 2, 4, 3, 0];
    expect(downsampleMinMax(steps, values, 4)).toEqual([0, 1, 5]);
  });

  it("ignores NaN for extremes and keeps the first index of an all-NaN bucket", () => {
    const steps = range(10);
    const nan = Number.NaN;
    const values = [1, nan, 9, nan, nan, nan, 4, 0, nan, 2];
    // 3 buckets of width 3: steps 0-2, 3-5 (only NaN) and 6-9.
    expect(downsampleMinMax(steps, values, 8)).toEqual([0, 2, 3, 6, 7, 9]);
  });

  it("handles tiny budgets and repeated steps", () => {
    expect(downsampleMinMax(range(10), range(10), 1)).toEqual([0]);
    expect(downsampleMinMax(range(10), range(10), 0)).toEqual([]);
    expect(downsampleMinMax(range(10), range(10), 3)).toEqual([0, 9]);
    expect(downsampleMinMax([5, 5, 5, 5, 5], [3, 1, 4, 1, 5], 4)).toEqual([0, 1, 4]);
  });

  it("accepts typed arrays", () => {
    const steps = Float64Array.from(range(100));
    const values = Float64Array.from(range(100), (i) => (i * 37) % 11);
    expect(downsampleMinMax(steps, values, 10).length).toBeLessThanOrEqual(10);
  });

  it("satisfies its invariants on random series", () => {
    const series = fc
      .array(fc.tuple(fc.integer({ min: 0, max: 10_000 }), fc.oneof(fc.double(), fc.constant(Number.NaN))), {
        maxLength: 400,
      })
      .map((points) => {
        const steps = points.map(([s]) => s).sort((a, b) => a - b);
        return { steps, values: points.map(([, v]) => v) };
      });
    fc.assert(
      fc.property(series, fc.integer({ min: 2, max: 120 }), ({ steps, values }, maxPoints) => {
        const kept = downsampleMinMax(steps, values, maxPoints);
        expect(kept.length).toBeLessThanOrEqual(Math.max(maxPoints, 0));
        if (steps.length <= maxPoints) expect(kept).toEqual(range(steps.length));
        for (let i = 1; i < kept.length; i++) expect(kept[i]).toBeGreaterThan(kept[i - 1] ?? -1);
        for (const i of kept) expect(i >= 0 && i < steps.length).toBe(true);
        if (steps.length > 0) {
          expect(kept[0]).toBe(0);
          expect(kept.at(-1)).toBe(steps.length - 1);
        }
        const finite = values.filter((v) => !Number.isNaN(v));
        if (finite.length > 0 && maxPoints >= 4) {
          const keptValues = kept.map((i) => values[i] ?? Number.NaN);
          expect(keptValues).toContain(Math.min(...finite));
          expect(keptValues).toContain(Math.max(...finite));
        }
      }),
      { numRuns: 300 },
    );
  });
});
