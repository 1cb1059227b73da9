import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { smoothEma } from "./smoothing.ts";

describe("smoothEma", () => {
  it("leaves values alone with weight 0", () => {
    expect(smoothEma([3, 1, 4, 1, 5], 0)).toEqual([3, 1, 4, 1, 5]);
  });

  it("matches TensorBoard's debiased EMA", () => {
    // last1 = 0.5*1 = 0.5 -> /0.5 = 1; last2 = 0.25 + 1.5 = 1.75 -> /0.75 = 2.333...
    // last3 = 0.875 + 2.5 = 3.375 -> /0.875 = 3.857...
    const out = smoothEma([1, 3, 5], 0.5);
    expect(out[0]).toBeCloseTo(1, 12);
    expect(out[1]).toBeCloseTo(7 / 3, 12);
    expect(out[2]).toBeCloseTo(3.375 / 0.875, 12);
  });

  it("starts at the first value (no bias towards zero)", () => {
    expect(smoothEma([10, 10, 10], 0.9)[0]).toBeCloseTo(10, 12);
    for (const v of smoothEma([10, 10, 10, 10], 0.99)) expect(v).toBeCloseTo(10, 9);
  });

  it("passes non-finite values through without polluting the average", () => {
    const out = smoothEma([1, Number.NaN, 3, Number.POSITIVE_INFINITY, 5], 0.5);
    const clean = smoothEma([1, 3, 5], 0.5);
    expect(out[1]).toBeNaN();
    expect(out[3]).toBe(Number.POSITIVE_INFINITY);
    expect([out[0], out[2], out[4]]).toEqual(clean);
  });

  it("rejects weights outside [0, 1)", () => {
    expect(() => smoothEma([1], 1)).toThrow(RangeError);
    expect(() => smoothEma([1], -0.1)).toThrow("smoothing weight must be in [0, 1), got -0.1");
    expect(() => smoothEma([1], Number.NaN)).toThrow(RangeError);
  });

  it("stays within the range of the values seen so far", () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: -1e6, max: 1e6, noNaN: true }), { minLength: 1, maxLength: 50 }),
        fc.double({ min: 0, max: 0.999, noNaN: true }),
        (values, weight) => {
          const out = smoothEma(values, weight);
          expect(out).toHaveLength(values.length);
          let lo = Number.POSITIVE_INFINITY;
          let hi = Number.NEGATIVE_INFINITY;
          values.forEach((v, i) => {
            lo = Math.min(lo, v);
            hi = Math.max(hi, v);
            const tolerance = 1e-6 * Math.max(1, Math.abs(lo), Math.abs(hi));
            expect(out[i]).toBeGreaterThanOrEqual(lo - tolerance);
            expect(out[i]).toBeLessThanOrEqual(hi + tolerance);
          });
        },
      ),
    );
  });
});
