import type { Run } from "@labtrack/schemas";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { RunRow } from "./run-columns.ts";
import { addToSelection, checkState, clickAll, clickRun, rangeOfRows } from "./run-selection.ts";

const runRow = (id: string): RunRow => ({ kind: "run", run: { id } as Run });
const rows: RunRow[] = [
  { kind: "group", label: "g1", count: 3, collapsed: false, runIds: ["a", "b", "c"] },
  runRow("a"),
  runRow("b"),
  runRow("c"),
  { kind: "group", label: "g2", count: 2, collapsed: false, runIds: ["d", "e"] },
  runRow("d"),
  runRow("e"),
];

describe("selecting runs for Compare", () => {
  it("selects the shown runs between the last clicked one and a shift-clicked one, either way", () => {
    expect(rangeOfRows(rows, "b", "e")).toEqual(["b", "c", "d", "e"]);
    expect(rangeOfRows(rows, "e", "b")).toEqual(["e", "d", "c", "b"]);
    expect(rangeOfRows(rows, "a", "gone")).toBeNull();
    const first = clickRun(new Set(), rows, "b", null, false, 50);
    expect([...first.next]).toEqual(["b"]);
    const range = clickRun(first.next, rows, "e", "b", true, 50);
    expect([...range.next].sort()).toEqual(["b", "c", "d", "e"]);
    // A shift-click on a selected run unselects the range; without shift only that run flips.
    const off = clickRun(range.next, rows, "c", "e", true, 50);
    expect([...off.next]).toEqual(["b"]);
    expect([...clickRun(range.next, rows, "c", "e", false, 50).next].sort()).toEqual(["b", "d", "e"]);
    // The anchor filtered away: the shift-click selects the clicked run alone.
    expect([...clickRun(new Set(), rows, "d", "gone", true, 50).next]).toEqual(["d"]);
  });

  it("stops at the limit, keeping the runs nearest the last clicked one, and says which were left out", () => {
    const change = clickRun(new Set(["a"]), rows, "b", "e", true, 3);
    expect([...change.next].sort()).toEqual(["a", "d", "e"]);
    expect(change.notAdded).toEqual(["c", "b"]);
    const single = clickRun(new Set(["a", "b", "c"]), rows, "d", null, false, 3);
    expect(single.notAdded).toEqual(["d"]);
    expect(single.next.size).toBe(3);
  });

  it("selects all (or a group), and unselects them when some are selected", () => {
    expect(checkState(new Set(), ["a", "b"])).toBe("none");
    expect(checkState(new Set(["a"]), ["a", "b"])).toBe("some");
    expect(checkState(new Set(["a", "b", "x"]), ["a", "b"])).toBe("all");
    const all = clickAll(new Set(["x"]), ["a", "b", "c"], 50);
    expect([...all.next]).toEqual(["x", "a", "b", "c"]);
    // Runs selected outside the filter stay selected when the filter's runs are unselected.
    expect([...clickAll(new Set(["x", "a"]), ["a", "b", "c"], 50).next]).toEqual(["x"]);
    const capped = clickAll(new Set(), ["a", "b", "c", "d"], 2);
    expect([...capped.next]).toEqual(["a", "b"]);
    expect(capped.notAdded).toEqual(["c", "d"]);
  });

  it("never holds more than the limit, and adds or reports every run asked for", () => {
    const id = fc.constantFrom("a", "b", "c", "d", "e", "f", "g", "h");
    fc.assert(
      fc.property(fc.uniqueArray(id), fc.array(id), fc.integer({ min: 0, max: 8 }), (start, ask, limit) => {
        const selected = new Set(start.slice(0, limit));
        const { next, notAdded } = addToSelection(selected, ask, limit);
        expect(next.size).toBeLessThanOrEqual(limit);
        for (const runId of selected) expect(next.has(runId)).toBe(true);
        for (const runId of ask) expect(next.has(runId) || notAdded.includes(runId)).toBe(true);
        for (const runId of notAdded) expect(next.has(runId)).toBe(false);
      }),
    );
  });
});
