import { sweepParameter } from "@labtrack/schemas";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { defaultWeights, parzenEstimator } from "./parzen-estimator.ts";
import { mixSeed, seededUniform } from "./seeded-random.ts";
import { type SweepParams, type SweepSpace, sampleRandom, sweepSpace } from "./sweep-space.ts";
import { defaultGamma, type SweepTrial, sampleTpe, splitTrials } from "./tpe-sampler.ts";
import { logGaussMass } from "./truncated-normal.ts";

const space = (parameters: Record<string, unknown>) =>
  sweepSpace(Object.fromEntries(Object.entries(parameters).map(([k, v]) => [k, sweepParameter.parse(v)])));

/** Best value found in `budget` evaluations of `f` by a sampler. */
function bestOf(
  s: SweepSpace,
  f: (p: SweepParams) => number,
  budget: number,
  seed: number,
  method: "tpe" | "random",
): number {
  const trials: SweepTrial[] = [];
  for (let i = 0; i < budget; i++) {
    const uniform = seededUniform(mixSeed(seed, i));
    const params = method === "tpe" ? sampleTpe(s, trials, "minimize", uniform) : sampleRandom(s, uniform);
    trials.push({ index: i, params, state: "complete", value: f(params) });
  }
  return Math.min(...trials.map((t) => (t.state === "complete" ? t.value : Infinity)));
}

/** Branin-Hoo on x1 in [-5, 10], x2 in [0, 15]; global minimum 0.397887. */
const branin = (p: SweepParams) => {
  const x1 = p.x1 as number;
  const x2 = p.x2 as number;
  const b = 5.1 / (4 * Math.PI ** 2);
  return (x2 - b * x1 ** 2 + (5 / Math.PI) * x1 - 6) ** 2 + 10 * (1 - 1 / (8 * Math.PI)) * Math.cos(x1) + 10;
};

describe("truncated normal mass", () => {
  it("matches the normal CDF, far into the tails", () => {
    expect(Math.exp(logGaussMass(-1, 1))).toBeCloseTo(0.682689492, 6);
    expect(Math.exp(logGaussMass(0, Infinity))).toBeCloseTo(0.5, 7);
    // Q(10) = 7.6198530e-24: the log stays finite where the mass underflows a difference of CDFs.
    expect(logGaussMass(10, 11)).toBeCloseTo(Math.log(7.619853e-24), 4);
    expect(logGaussMass(-11, -10)).toBeCloseTo(Math.log(7.619853e-24), 4);
  });
});

describe("Parzen estimator", () => {
  it("uses Optuna's default weights", () => {
    expect(defaultWeights(3)).toEqual([1, 1, 1]);
    const w = defaultWeights(30);
    expect(w).toHaveLength(30);
    expect(w[0]).toBeCloseTo(1 / 30, 12);
    expect(w[4]).toBeCloseTo(1, 12);
    expect(w.slice(5)).toEqual(Array(25).fill(1));
  });

  it("is a density over the range, on linear, log, stepped and categorical dimensions (property)", () => {
    const obs = fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { maxLength: 12 });
    fc.assert(
      fc.property(obs, (u) => {
        const lin = parzenEstimator(
          { kind: "numeric", distribution: "uniform", min: -2, max: 3 },
          u.map((x) => -2 + 5 * x),
        );
        const log = parzenEstimator(
          { kind: "numeric", distribution: "log_uniform_values", min: 1e-4, max: 1 },
          u.map((x) => 10 ** (-4 + 4 * x)),
        );
        const n = 4000;
        let linMass = 0;
        let logMass = 0;
        for (let i = 0; i < n; i++) {
          const x = -2 + (5 * (i + 0.5)) / n;
          linMass += Math.exp(lin.logPdf(x)) * (5 / n);
          const t = -4 + (4 * (i + 0.5)) / n;
          // As Optuna's, a log-scale estimator is a density over log(x).
          logMass += Math.exp(log.logPdf(10 ** t)) * Math.log(10) * (4 / n);
        }
        expect(linMass).toBeCloseTo(1, 2);
        expect(logMass).toBeCloseTo(1, 2);
        const ints = parzenEstimator(
          { kind: "numeric", distribution: "int_uniform", min: 1, max: 6 },
          u.map((x) => 1 + Math.round(5 * x)),
        );
        expect([1, 2, 3, 4, 5, 6].reduce((s, k) => s + Math.exp(ints.logPdf(k)), 0)).toBeCloseTo(1, 5);
        const cat = parzenEstimator(
          { kind: "categorical", choices: ["a", "b", "c"] },
          u.map((x) => Math.min(2, Math.floor(3 * x))),
        );
        expect([0, 1, 2].reduce((s, k) => s + Math.exp(cat.logPdf(k)), 0)).toBeCloseTo(1, 5);
      }),
      { numRuns: 30 },
    );
  });

  it("concentrates around the observations", () => {
    const pe = parzenEstimator({ kind: "numeric", distribution: "uniform", min: 0, max: 10 }, [2, 2.1, 1.9]);
    expect(pe.logPdf(2)).toBeGreaterThan(pe.logPdf(8));
    const cat = parzenEstimator({ kind: "categorical", choices: ["a", "b", "c"] }, [1, 1, 1]);
    expect(cat.logPdf(1)).toBeGreaterThan(cat.logPdf(0));
  });
});

describe("TPE", () => {
  it("splits the best gamma(n) complete trials from the rest, pruned ones after them", () => {
    expect([1, 10, 11, 100, 1000].map(defaultGamma)).toEqual([1, 1, 2, 10, 25]);
    const t = (index: number, value: number): SweepTrial => ({ index, params: {}, state: "complete", value });
    const pruned: SweepTrial = { index: 9, params: {}, state: "pruned", step: 5, value: 0 };
    const [below, above] = splitTrials([t(0, 5), t(1, 1), t(2, 3), pruned], 3, "minimize");
    expect(below.map((x) => x.index)).toEqual([0, 1, 2]);
    expect(above.map((x) => x.index)).toEqual([9]);
    const [twoBelow, twoAbove] = splitTrials([t(0, 5), t(1, 1), pruned, t(2, 3)], 2, "minimize");
    expect([twoBelow.map((x) => x.index), twoAbove.map((x) => x.index)]).toEqual([
      [1, 2],
      [0, 9],
    ]);
    const [withPruned] = splitTrials([t(0, 5), pruned], 2, "minimize");
    expect(withPruned.map((x) => x.index)).toEqual([0, 9]);
    const [maxBelow] = splitTrials([t(0, 5), t(1, 1), t(2, 3)], 1, "maximize");
    expect(maxBelow.map((x) => x.index)).toEqual([0]);
  });

  it("samples at random for the first 10 trials, then stays in range", () => {
    const s = space({ x1: { min: -5, max: 10, distribution: "uniform" }, c: { values: ["a", "b"] } });
    const u = seededUniform(1);
    expect(sampleTpe(s, [], "minimize", seededUniform(5))).toEqual(sampleRandom(s, seededUniform(5)));
    const trials: SweepTrial[] = Array.from({ length: 15 }, (_, i) => ({
      index: i,
      params: sampleRandom(s, u),
      state: "complete",
      value: i,
    }));
    const next = sampleTpe(s, trials, "minimize", u);
    expect(next.x1).toBeGreaterThanOrEqual(-5);
    expect(next.x1).toBeLessThanOrEqual(10);
    expect(["a", "b"]).toContain(next.c);
  });

  it("beats random search on Branin with 60 trials, averaged over 12 seeds", () => {
    const s = space({
      x1: { min: -5, max: 10, distribution: "uniform" },
      x2: { min: 0, max: 15, distribution: "uniform" },
    });
    const seeds = Array.from({ length: 12 }, (_, i) => i + 1);
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    const tpe = mean(seeds.map((seed) => bestOf(s, branin, 60, seed, "tpe")));
    const random = mean(seeds.map((seed) => bestOf(s, branin, 60, seed, "random")));
    expect(tpe).toBeLessThan(random * 0.8);
  });

  it("finds a categorical and a log-scale optimum faster than random", () => {
    const s = space({
      lr: { min: 1e-6, max: 1, distribution: "log_uniform_values" },
      net: { values: ["a", "b", "c", "d", "e"] },
    });
    const f = (p: SweepParams) => (Math.log10(p.lr as number) + 3) ** 2 + (p.net === "c" ? 0 : 2);
    const seeds = Array.from({ length: 12 }, (_, i) => 100 + i);
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    expect(mean(seeds.map((seed) => bestOf(s, f, 40, seed, "tpe")))).toBeLessThan(
      mean(seeds.map((seed) => bestOf(s, f, 40, seed, "random"))),
    );
  });
});
