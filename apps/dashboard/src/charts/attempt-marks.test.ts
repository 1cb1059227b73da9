import { describe, expect, it } from "vitest";
import { attemptAt, attemptMarks } from "./attempt-marks.ts";
import type { SeriesData } from "./series-data.ts";

function series(runId: string, steps: number[], attempts: number[]): SeriesData {
  return {
    runId,
    key: "loss",
    steps,
    values: steps.map((s) => s),
    times: steps.map((s) => 1_000_000 + s * 1000),
    epochs: steps.map(() => null),
    attempts,
    total: steps.length,
    downsampled: false,
  };
}

describe("attempt marks", () => {
  it("marks where attempt 2 began, and none for a run never retried", () => {
    const retried = series("a", [0, 1, 2, 3, 4, 5], [1, 1, 1, 2, 2, 2]);
    const plain = series("b", [0, 1, 2], [1, 1, 1]);
    expect(attemptMarks([retried, plain], "step")).toEqual([{ runId: "a", x: 3, attempt: 2, begins: true }]);
    expect(attemptMarks([retried], "relative")).toEqual([{ runId: "a", x: 3, attempt: 2, begins: true }]);
  });

  it("says which attempt wrote the point at an x", () => {
    const marks = attemptMarks([series("a", [0, 1, 2, 3, 4], [1, 2, 2, 3, 3])], "step");
    expect(marks.map((m) => [m.x, m.attempt])).toEqual([
      [1, 2],
      [3, 3],
    ]);
    expect([0, 1, 2, 3, 4].map((x) => attemptAt(marks, "a", x))).toEqual([1, 2, 2, 3, 3]);
    expect(attemptAt(marks, "other", 4)).toBe(1);
  });

  it("notes where an earlier attempt's points resume without marking a new attempt", () => {
    // Attempt 2 re-logged steps 1..2 only; attempt 1's step 3 is still there.
    const marks = attemptMarks([series("a", [0, 1, 2, 3], [1, 2, 2, 1])], "step");
    expect(marks).toEqual([
      { runId: "a", x: 1, attempt: 2, begins: true },
      { runId: "a", x: 3, attempt: 1, begins: false },
    ]);
    expect(attemptAt(marks, "a", 3)).toBe(1);
  });
});
