import { sweepParameter } from "@labtrack/schemas";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { mixSeed, seededUniform } from "./seeded-random.ts";
import { gridPoint, gridSize, sampleRandom, steppedValues, sweepSpace } from "./sweep-space.ts";

const space = (parameters: Record<string, unknown>) =>
  sweepSpace(Object.fromEntries(Object.entries(parameters).map(([k, v]) => [k, sweepParameter.parse(v)])));

describe("grid", () => {
  it("lists every combination once, by parameter name with the last varying fastest", () => {
    const s = space({ lr: { values: [0.1, 0.01, 0.001] }, batch: { values: [16, 32] } });
    expect(gridSize(s)).toBe(6);
    expect(Array.from({ length: 6 }, (_, i) => gridPoint(s, i))).toEqual([
      { batch: 16, lr: 0.1 },
      { batch: 16, lr: 0.01 },
      { batch: 16, lr: 0.001 },
      { batch: 32, lr: 0.1 },
      { batch: 32, lr: 0.01 },
      { batch: 32, lr: 0.001 },
    ]);
  });

  it("steps int_uniform and q_uniform ranges without float noise", () => {
    expect(steppedValues({ kind: "numeric", distribution: "q_uniform", min: 0.1, max: 0.5, q: 0.1 })).toEqual(
      [0.1, 0.2, 0.3, 0.4, 0.5],
    );
    expect(gridSize(space({ layers: { min: 2, max: 5 } }))).toBe(4);
  });

  it("is the same whatever order the parameters were written in, and covers the product (property)", () => {
    const arb = fc.dictionary(
      fc.stringMatching(/^[a-z]{1,6}$/),
      fc.uniqueArray(fc.integer({ min: -50, max: 50 }), { minLength: 1, maxLength: 4 }),
      { minKeys: 1, maxKeys: 4 },
    );
    fc.assert(
      fc.property(arb, (dims) => {
        const forward = space(Object.fromEntries(Object.entries(dims).map(([k, v]) => [k, { values: v }])));
        const reversed = space(
          Object.fromEntries(
            Object.entries(dims)
              .reverse()
              .map(([k, v]) => [k, { values: v }]),
          ),
        );
        const n = Object.values(dims).reduce((a, v) => a * v.length, 1);
        const points = Array.from({ length: n }, (_, i) => JSON.stringify(gridPoint(forward, i)));
        expect(Array.from({ length: n }, (_, i) => JSON.stringify(gridPoint(reversed, i)))).toEqual(points);
        expect(new Set(points).size).toBe(n);
      }),
    );
  });
});

describe("random sampling", () => {
  const s = space({
    lr: { min: 1e-5, max: 1e-1, distribution: "log_uniform_values" },
    dropout: { min: 0, max: 0.5, distribution: "uniform" },
    layers: { min: 1, max: 4 },
    wd: { min: 0, max: 0.01, distribution: "q_uniform", q: 0.005 },
    backbone: { values: ["mobilenet_v2", "scratch_cnn"] },
    seed: { value: 7 },
  });

  it("is reproducible from its seed and different across seeds", () => {
    const draw = (seed: number) =>
      Array.from({ length: 5 }, (_, i) => sampleRandom(s, seededUniform(mixSeed(seed, i))));
    expect(draw(1)).toEqual(draw(1));
    expect(draw(1)).not.toEqual(draw(2));
  });

  it("stays in each range and draws log-uniform values around the geometric mean (property)", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 ** 31 - 1 }), (seed) => {
        const p = sampleRandom(s, seededUniform(seed));
        expect(p.lr).toBeGreaterThanOrEqual(1e-5);
        expect(p.lr).toBeLessThanOrEqual(1e-1);
        expect([1, 2, 3, 4]).toContain(p.layers);
        expect([0, 0.005, 0.01]).toContain(p.wd);
        expect(["mobilenet_v2", "scratch_cnn"]).toContain(p.backbone);
        expect(p.seed).toBe(7);
      }),
    );
    const uniform = seededUniform(42);
    const lrs = Array.from({ length: 2000 }, () => sampleRandom(s, uniform).lr as number);
    const belowGeoMean = lrs.filter((x) => x < 1e-3).length / lrs.length;
    expect(belowGeoMean).toBeGreaterThan(0.45);
    expect(belowGeoMean).toBeLessThan(0.55);
  });
});
