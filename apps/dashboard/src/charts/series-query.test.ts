import { describe, expect, it } from "vitest";
import { chartPointsFor } from "./series-query.ts";

describe("points per series", () => {
  it("asks for full detail up to 20 runs and fewer points per run beyond, never under 400", () => {
    expect(chartPointsFor(1)).toBe(1000);
    expect(chartPointsFor(20)).toBe(1000);
    expect(chartPointsFor(40)).toBe(500);
    expect(chartPointsFor(50)).toBe(400);
    expect(chartPointsFor(100)).toBe(400);
  });
});
