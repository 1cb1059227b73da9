import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { planRelogged, sameMetricValue, type TimedPoint } from "./metric-relog.ts";

const p = (key: string, step: number, value: number, timeMs: number): TimedPoint => ({
  key,
  step,
  value,
  timeMs,
});

/** Stores a batch as the database does (first point at a (key, step) wins), then applies the plan. */
function ingest(store: TimedPoint[], batch: TimedPoint[]): TimedPoint[] {
  const next = [...store];
  for (const point of batch)
    if (!next.some((s) => s.key === point.key && s.step === point.step)) next.push(point);
  const storedAtStep = batch.flatMap((b) => {
    const found = next.find((s) => s.key === b.key && s.step === b.step);
    return found ? [found] : [];
  });
  const storedSameTime = next.filter((s) =>
    batch.some((b) => b.key === s.key && b.timeMs === s.timeMs && sameMetricValue(b.value, s.value)),
  );
  const lastStep = new Map<string, number>();
  for (const s of next) lastStep.set(s.key, Math.max(lastStep.get(s.key) ?? s.step, s.step));
  return [...next, ...planRelogged(batch, storedAtStep, storedSameTime, lastStep)];
}

describe("planRelogged", () => {
  it("moves a different value at an occupied step after the key's last step, and drops retries", () => {
    const stored = [p("loss", 0, 1, 100), p("loss", 1, 0.9, 200), p("acc", 0, 0.5, 100)];
    const batch = [
      p("loss", 0, 0.8, 300),
      p("loss", 0, 1, 100),
      p("acc", 0, 0.6, 300),
      p("loss", 0, 0.7, 400),
    ];
    const moved = planRelogged(
      batch,
      [stored[0]!, stored[0]!, stored[2]!, stored[0]!],
      [stored[0]!],
      new Map([
        ["loss", 1],
        ["acc", 0],
      ]),
    );
    expect(moved).toEqual([p("loss", 2, 0.8, 300), p("acc", 1, 0.6, 300), p("loss", 3, 0.7, 400)]);
  });

  it("recognises a retry of a moved point by key, wall time and value", () => {
    const stored = [p("loss", 0, 1, 100), p("loss", 1, 0.8, 300)];
    expect(
      planRelogged([p("loss", 0, 0.8, 300)], [stored[0]!], [stored[1]!], new Map([["loss", 1]])),
    ).toEqual([]);
  });

  it("adds nothing for the same value logged again at a step with another wall time", () => {
    const stored = [p("epoch", 49, 0, 100)];
    expect(planRelogged([p("epoch", 49, 0, 250)], stored, [], new Map([["epoch", 49]]))).toEqual([]);
  });

  it("keeps NaN values as equal to each other", () => {
    const stored = [p("x", 0, Number.NaN, 5)];
    expect(planRelogged([p("x", 0, Number.NaN, 5)], stored, stored, new Map([["x", 0]]))).toEqual([]);
    expect(sameMetricValue(0, -0)).toBe(true);
  });

  it("loses no value and doubles nothing, however often a batch is re-sent", () => {
    const pointArb = fc.record({
      key: fc.constantFrom("a", "b"),
      step: fc.integer({ min: 0, max: 3 }),
      value: fc.constantFrom(0, 1, 2, Number.NaN),
      timeMs: fc.integer({ min: 0, max: 3 }),
    });
    fc.assert(
      fc.property(
        fc.array(fc.array(pointArb, { maxLength: 6 }), { maxLength: 4 }),
        fc.nat(3),
        (batches, resend) => {
          const run = (times: number) => {
            let store: TimedPoint[] = [];
            for (const batch of batches) for (let i = 0; i < times; i += 1) store = ingest(store, batch);
            return store;
          };
          const once = run(1);
          const identity = (x: TimedPoint) => `${x.key}|${Number.isNaN(x.value) ? "NaN" : x.value}`;
          // every value logged for a key is stored
          expect(new Set(once.map(identity))).toEqual(new Set(batches.flat().map(identity)));
          // re-sending batches stores nothing more
          expect(run(resend + 2)).toEqual(once);
          // one point per (key, step)
          expect(new Set(once.map((x) => `${x.key}|${x.step}`)).size).toBe(once.length);
        },
      ),
      { numRuns: 300 },
    );
  });
});
