import { describe, expect, it } from "vitest";
import { zoomWindowOf } from "./zoom-window.ts";

describe("zoom window", () => {
  const xs = [0, 10, 20, 30, 40];

  it("is null when the whole series is in view (a reset zoom)", () => {
    expect(zoomWindowOf(xs, -1, 41)).toBeNull();
    expect(zoomWindowOf(xs, 0, 40)).toBeNull();
  });

  it("rounds a zoomed range outwards to whole steps", () => {
    expect(zoomWindowOf(xs, 12.4, 27.2)).toEqual({ min: 12, max: 28 });
    expect(zoomWindowOf(xs, -3.5, 20)).toEqual({ min: 0, max: 20 });
  });

  it("is undefined while the scale or data is not known yet", () => {
    expect(zoomWindowOf([], 0, 1)).toBeUndefined();
    expect(zoomWindowOf(xs, undefined, 10)).toBeUndefined();
  });
});
