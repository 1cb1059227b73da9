import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { bestRun, type GoalEntry, goalOverRuns } from "./best-so-far.ts";

const entry = (
  runId: string,
  goal: number | null,
  finishedAt: string | null,
  status = "succeeded",
): GoalEntry => ({
  runId,
  status,
  goal,
  pruned: status === "canceled",
  finishedAt,
});

describe("goalOverRuns", () => {
  const entries = [
    entry("c", 0.5, "2026-01-01T00:03:00Z"),
    entry("a", 0.9, "2026-01-01T00:01:00Z"),
    entry("p", 0.1, "2026-01-01T00:02:00Z", "canceled"),
    entry("b", 0.7, "2026-01-01T00:04:00Z"),
    entry("q", null, null, "running"),
  ];

  it("orders ended runs by when they ended and draws the best succeeded value so far", () => {
    expect(goalOverRuns(entries, "minimize").map((p) => [p.runId, p.order, p.best])).toEqual([
      ["a", 1, 0.9],
      ["p", 2, 0.9],
      ["c", 3, 0.5],
      ["b", 4, 0.5],
    ]);
    expect(goalOverRuns(entries, "maximize").map((p) => p.best)).toEqual([0.9, 0.9, 0.9, 0.9]);
  });

  it("property: the line only ever improves, and ends at the best run's goal", () => {
    const arb = fc.array(
      fc.record({
        goal: fc.option(fc.double({ min: -10, max: 10, noNaN: true }), { nil: null }),
        minute: fc.integer({ min: 10, max: 59 }),
        status: fc.constantFrom("succeeded", "canceled", "failed"),
      }),
      { maxLength: 40 },
    );
    fc.assert(
      fc.property(arb, fc.constantFrom("minimize" as const, "maximize" as const), (rows, goal) => {
        const es = rows.map((r, i) => entry(`r${i}`, r.goal, `2026-01-01T00:${r.minute}:00Z`, r.status));
        const line = goalOverRuns(es, goal).flatMap((p) => (p.best === null ? [] : [p.best]));
        for (let i = 1; i < line.length; i++) {
          const [prev, next] = [line[i - 1] as number, line[i] as number];
          expect(goal === "minimize" ? next <= prev : next >= prev).toBe(true);
        }
        expect(line.at(-1) ?? null).toBe(bestRun(es, goal)?.goal ?? null);
      }),
    );
  });
});

describe("bestRun", () => {
  it("takes the best succeeded run, never a pruned or failed one", () => {
    const entries = [
      entry("a", 0.9, "2026-01-01T00:01:00Z"),
      entry("p", 0.1, "2026-01-01T00:02:00Z", "canceled"),
      entry("f", 0.2, "2026-01-01T00:02:30Z", "failed"),
      entry("c", 0.5, "2026-01-01T00:03:00Z"),
    ];
    expect(bestRun(entries, "minimize")?.runId).toBe("c");
    expect(bestRun(entries, "maximize")?.runId).toBe("a");
    expect(bestRun([], "minimize")).toBeNull();
  });
});
