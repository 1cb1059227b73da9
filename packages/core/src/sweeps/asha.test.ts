import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ashaDecision, ashaRungs, type MetricCurve, valueAtRung } from "./asha.ts";

const curve = (values: number[]): MetricCurve => values.map((value, i) => ({ step: i + 1, value }));

describe("ASHA", () => {
  it("puts rungs at min_iter * eta^k", () => {
    expect(ashaRungs({ minIter: 2, eta: 3 }, 100)).toEqual([2, 6, 18, 54]);
    expect(ashaRungs({ minIter: 5, eta: 2 }, 4)).toEqual([]);
  });

  it("reads a run's value at a rung only once it got there", () => {
    expect(valueAtRung(curve([5, 4, 3]), 2)).toBe(4);
    expect(valueAtRung(curve([5, 4, 3]), 4)).toBeNull();
  });

  it("stops a run below the top 1/eta at its rung and keeps the best", () => {
    const options = { minIter: 2, eta: 3 };
    const good = curve([0.5, 0.4, 0.3]);
    const middling = curve([0.8, 0.7]);
    const bad = curve([1.2, 1.1]);
    expect(ashaDecision(bad, [good, middling], "minimize", options)).toEqual({
      prune: true,
      rung: 2,
      step: 2,
    });
    expect(ashaDecision(middling, [good, bad], "minimize", options)).toEqual({
      prune: true,
      rung: 2,
      step: 2,
    });
    expect(ashaDecision(good, [middling, bad], "minimize", options)).toEqual({ prune: false });
    // Maximising: the higher curve wins.
    expect(ashaDecision(good, [bad], "maximize", options).prune).toBe(true);
    expect(ashaDecision(bad, [good], "maximize", options).prune).toBe(false);
  });

  it("lets a run go on before the rung, and alone at a rung", () => {
    const options = { minIter: 3, eta: 2 };
    expect(ashaDecision(curve([9, 9]), [curve([1, 1, 1])], "minimize", options).prune).toBe(false);
    expect(ashaDecision(curve([9, 9, 9]), [curve([1, 1])], "minimize", options).prune).toBe(false);
  });

  it("never stops the best run at a rung, and stops all but about 1/eta of them (property)", () => {
    const arb = fc.record({
      eta: fc.integer({ min: 2, max: 4 }),
      finals: fc.uniqueArray(fc.integer({ min: 0, max: 1000 }), { minLength: 2, maxLength: 30 }),
    });
    fc.assert(
      fc.property(arb, ({ eta, finals }) => {
        const curves = finals.map((v) => [{ step: 1, value: v }]);
        const pruned = curves.map(
          (c, i) =>
            ashaDecision(
              c,
              curves.filter((_, j) => j !== i),
              "minimize",
              { minIter: 1, eta },
            ).prune,
        );
        const best = finals.indexOf(Math.min(...finals));
        expect(pruned[best]).toBe(false);
        const kept = pruned.filter((p) => !p).length;
        expect(kept).toBeGreaterThanOrEqual(Math.floor(finals.length / eta));
        expect(kept).toBeLessThanOrEqual(Math.ceil(finals.length / eta) + 1);
      }),
    );
  });
});
