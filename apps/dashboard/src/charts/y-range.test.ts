import { describe, expect, it } from "vitest";
import { outlierFreeRange } from "./y-range.ts";

describe("outlierFreeRange", () => {
  const curve = Array.from({ length: 1000 }, (_, i) => 0.2 + 0.6 * (i / 999));

  it("leaves out one spike, so the other curves keep their height", () => {
    const spiky = [...curve];
    spiky[500] = 22;
    const range = outlierFreeRange([spiky, curve, [null, Number.NaN]], { logScale: false });
    if (!range) throw new Error("no range");
    expect(range[1]).toBeLessThan(1);
    expect(range[1]).toBeGreaterThan(0.78);
    expect(range[0]).toBeLessThan(0.22);
  });

  it("pads a flat curve instead of giving an empty range", () => {
    expect(outlierFreeRange([[5, 5, 5]], { logScale: false })).toEqual([4.5, 5.5]);
  });

  it("works in decades on a log scale and ignores non-positive values there", () => {
    const values = Array.from({ length: 200 }, (_, i) => 10 ** -(i / 50));
    const range = outlierFreeRange([[...values, 0, -1]], { logScale: true });
    if (!range) throw new Error("no range");
    expect(range[0]).toBeGreaterThan(0);
    expect(range[0]).toBeLessThan(10 ** -3.9);
    expect(range[1]).toBeGreaterThan(0.9);
  });

  it("has nothing to say about no values", () => {
    expect(outlierFreeRange([[null]], { logScale: false })).toBeNull();
  });
});
