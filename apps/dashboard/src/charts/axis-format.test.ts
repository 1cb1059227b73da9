import { describe, expect, it } from "vitest";
import { axisWidthFor, DURATION_INCREMENTS, WHOLE_NUMBER_INCREMENTS } from "./axis-format.ts";
import { formatDuration } from "./format-number.ts";

describe("axis ticks", () => {
  it("spaces duration ticks by round seconds, minutes, hours and days", () => {
    for (const seconds of DURATION_INCREMENTS) {
      const label = formatDuration(seconds * 1000);
      // Every multiple of an increment reads as a round time: no "16m 40s".
      for (const n of [1, 2, 3, 7]) {
        const text = formatDuration(n * seconds * 1000);
        if (seconds >= 60 && seconds < 3600) expect(text).toMatch(/^(\d+m 00s|\d+h \d{2}m)$/);
        if (seconds >= 3600) expect(text).toMatch(/^\d+h 00m$/);
      }
      expect(label).not.toBe("–");
    }
    expect(DURATION_INCREMENTS).not.toContain(1000);
    expect(DURATION_INCREMENTS).toContain(15 * 60);
  });

  it("spaces step ticks by whole numbers only", () => {
    expect(WHOLE_NUMBER_INCREMENTS.every(Number.isInteger)).toBe(true);
    expect(WHOLE_NUMBER_INCREMENTS.slice(0, 6)).toEqual([1, 2, 5, 10, 20, 50]);
  });

  it("makes a y axis wide enough for its widest label", () => {
    const measure = (label: string) => label.length * 6;
    expect(axisWidthFor(["0.0002", "0.00075", "0.001"], measure)).toBe(7 * 6 + 16);
    expect(axisWidthFor(["0", "1"], measure)).toBe(32);
    expect(axisWidthFor(null, measure)).toBe(32);
  });
});
