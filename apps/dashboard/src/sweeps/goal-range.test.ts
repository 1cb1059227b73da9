import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { clampToAxis, goalAxisRange, niceExtent } from "./goal-range.ts";
import { buildParamAxes, GOAL_AXIS, type ParamRow, rowsInIntervals } from "./param-axes.ts";

const row = (runId: string, goal: number | null, pruned = false): ParamRow => ({
  runId,
  name: runId,
  params: { lr: 0.1 },
  goal,
  pruned,
});

describe("the goal axis's range", () => {
  const rows = [row("a", 0.23), row("b", 1.87), row("c", 0.9), row("p", 6.4, true), row("q", 0.05, true)];

  it("spans the unpruned runs and counts the pruned ones beyond it, at either end", () => {
    expect(goalAxisRange(rows, false)).toEqual({
      min: 0,
      max: 2,
      step: 0.5,
      unprunedOnly: true,
      below: 0,
      above: 1,
      pruned: 2,
    });
    const low = goalAxisRange([row("a", 0.5), row("b", 0.9), row("q", 0.05, true)], false);
    expect([low.min, low.max, low.below, low.above]).toEqual([0.5, 0.9, 1, 0]);
  });

  it("spans every run with the box ticked, or where every run was pruned", () => {
    expect(goalAxisRange(rows, true)).toMatchObject({ min: 0, max: 8, unprunedOnly: false, above: 0 });
    const allPruned = goalAxisRange([row("p", 3, true), row("q", 5, true)], false);
    expect(allPruned).toMatchObject({ min: 3, max: 5, unprunedOnly: false, pruned: 2 });
  });

  it("has round ends around every spanned goal, and gives a lone goal room", () => {
    fc.assert(
      fc.property(
        fc.double({ min: -1e6, max: 1e6, noNaN: true }),
        fc.double({ min: 0, max: 1e6, noNaN: true }),
        (lo, span) => {
          const [min, max, step] = niceExtent(lo, lo + span);
          expect(min).toBeLessThanOrEqual(lo);
          expect(max).toBeGreaterThanOrEqual(lo + span);
          expect(max).toBeGreaterThan(min);
          expect(Math.abs((max - min) / step - Math.round((max - min) / step))).toBeLessThan(1e-6);
        },
      ),
    );
    expect(niceExtent(0.3, 0.3).slice(0, 2)).toEqual([0.26, 0.34]);
  });

  it("lets a brush at the axis's end keep the runs drawn there", () => {
    const range = goalAxisRange(rows, false);
    const axes = buildParamAxes(rows, ["lr"]);
    const top = new Map([[GOAL_AXIS, [[1.5, range.max] as const]]]);
    const kept = rowsInIntervals(rows, axes, top, (g) => clampToAxis(range, g)).map((r) => r.runId);
    expect(kept).toEqual(["b", "p"]);
    expect(rowsInIntervals(rows, axes, top).map((r) => r.runId)).toEqual(["b"]);
  });
});
