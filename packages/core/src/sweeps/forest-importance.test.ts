import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { forestImportance } from "./forest-importance.ts";
import { seededUniform } from "./seeded-random.ts";

describe("forestImportance", () => {
  const u = seededUniform(4);
  const rows = Array.from({ length: 60 }, () => {
    const lr = 10 ** (-5 + 4 * u());
    const noise = u();
    const net = ["a", "b", "c"][Math.floor(u() * 3)] as string;
    // Best at lr = 1e-3, in the middle of the log range; net b costs 1; noise does nothing.
    return {
      params: { lr, noise, net },
      goal: (Math.log10(lr) + 3) ** 2 + (net === "b" ? 1 : 0) + u() * 0.05,
    };
  });
  const names = ["lr", "noise", "net"];
  const importance = forestImportance(rows, names, { seed: 1 });

  it("ranks a goal-shaping parameter (best in the middle of its range) first and noise last", () => {
    expect(importance.get("lr")).toBeGreaterThan(0.5);
    expect(importance.get("net")).toBeGreaterThan(importance.get("noise") ?? 1);
    expect(importance.get("noise")).toBeLessThan(0.08);
  });

  it("sums to 1 and is the same for the same seed", () => {
    const sum = [...importance.values()].reduce((a, b) => a + b, 0);
    expect(sum).toBeCloseTo(1, 9);
    expect(forestImportance(rows, names, { seed: 1 })).toEqual(importance);
  });

  it("claims nothing from a constant goal or too few runs", () => {
    const flat = rows.map((r) => ({ ...r, goal: 2 }));
    expect([...forestImportance(flat, names).values()]).toEqual([0, 0, 0]);
    expect([...forestImportance(rows.slice(0, 3), names).values()]).toEqual([0, 0, 0]);
  });

  it("leaves out runs whose goal is not finite", () => {
    const withNaN = [...rows, { params: { lr: 1, noise: 0.5, net: "a" }, goal: Number.NaN }];
    expect(forestImportance(withNaN, names, { seed: 1 })).toEqual(importance);
  });

  it("property: non-negative, summing to 1 or all 0, and unchanged by a log scale on a parameter", () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            // Integers, so that distinct values stay distinct after the log.
            x: fc.integer({ min: 1, max: 1000 }),
            c: fc.constantFrom("p", "q", "r"),
            goal: fc.double({ min: -100, max: 100, noNaN: true }),
          }),
          { minLength: 0, maxLength: 30 },
        ),
        fc.integer({ min: 0, max: 1000 }),
        (samples, seed) => {
          const plain = samples.map((s) => ({ params: { x: s.x, c: s.c }, goal: s.goal }));
          const logged = samples.map((s) => ({ params: { x: Math.log(s.x), c: s.c }, goal: s.goal }));
          const a = forestImportance(plain, ["x", "c"], { seed, trees: 10 });
          const b = forestImportance(logged, ["x", "c"], { seed, trees: 10 });
          const values = [...a.values()];
          const sum = values.reduce((s, v) => s + v, 0);
          expect(values.every((v) => v >= 0)).toBe(true);
          expect(sum === 0 || Math.abs(sum - 1) < 1e-9).toBe(true);
          for (const name of ["x", "c"]) expect(b.get(name)).toBeCloseTo(a.get(name) ?? -1, 9);
        },
      ),
      { numRuns: 100 },
    );
  });
});
