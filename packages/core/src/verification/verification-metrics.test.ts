import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  accuracyAtThreshold,
  bestThreshold,
  type FoldedPair,
  kFoldVerification,
  rocCurve,
  type ScoredPair,
  tarAtFar,
} from "./verification-metrics.ts";

const pair = (score: number, same: boolean, fold = 0): FoldedPair => ({ score, same, fold });
// Two folds of two same and two different pairs; the numbers below are worked out by hand.
const PAIRS = [
  pair(0.9, true, 0),
  pair(0.4, false, 0),
  pair(0.6, true, 0),
  pair(0.5, false, 0),
  pair(0.8, true, 1),
  pair(0.3, false, 1),
  pair(0.45, true, 1),
  pair(0.52, false, 1),
];

const integerPairs = (minLength = 2) =>
  fc.array(
    fc.record({
      score: fc.integer({ min: -20, max: 20 }),
      same: fc.boolean(),
      fold: fc.integer({ min: 0, max: 3 }),
    }),
    { minLength, maxLength: 40 },
  );

describe("bestThreshold", () => {
  it("picks the midpoint that separates best, lowest on ties", () => {
    expect(bestThreshold(PAIRS)).toEqual({ threshold: 0.56, accuracy: 0.875 });
    const two = bestThreshold([pair(0.2, true), pair(0.1, false)]);
    expect(two.accuracy).toBe(1);
    expect(two.threshold).toBeCloseTo(0.15, 12);
    // All same: the lowest score calls everything same; all different: above the highest.
    expect(bestThreshold([pair(0.3, true), pair(0.7, true)])).toEqual({ threshold: 0.3, accuracy: 1 });
    expect(bestThreshold([pair(0.3, false), pair(0.7, false)])).toEqual({ threshold: 1.7, accuracy: 1 });
  });

  it("rejects no pairs and non-finite scores", () => {
    expect(() => bestThreshold([])).toThrow(RangeError);
    expect(() => bestThreshold([pair(Number.NaN, true)])).toThrow("pair 0 has a non-finite score (NaN)");
  });

  it("is at least as accurate as every other threshold, and its accuracy is the one reported (property)", () => {
    fc.assert(
      fc.property(integerPairs(1), fc.integer({ min: -25, max: 25 }), (pairs, other) => {
        const best = bestThreshold(pairs);
        expect(accuracyAtThreshold(pairs, best.threshold)).toBe(best.accuracy);
        expect(best.accuracy).toBeGreaterThanOrEqual(accuracyAtThreshold(pairs, other));
        for (const p of pairs)
          expect(best.accuracy).toBeGreaterThanOrEqual(accuracyAtThreshold(pairs, p.score));
      }),
    );
  });
});

describe("kFoldVerification", () => {
  it("scores each fold at the threshold chosen on the other folds", () => {
    const result = kFoldVerification(PAIRS);
    // Fold 1 alone picks 0.375; at 0.375 fold 0 gets 0.9, 0.6 right and 0.4, 0.5 wrong.
    // Fold 0 alone picks 0.55; at 0.55 fold 1 gets 0.8, 0.3, 0.52 right and 0.45 wrong.
    expect(result.foldThresholds).toEqual([0.375, 0.55]);
    expect(result.foldAccuracies).toEqual([0.5, 0.75]);
    expect(result.accuracy).toBe(0.625);
    expect(result.std).toBe(0.125);
    expect(result.threshold).toBe(0.56);
    expect(result.accuracyAtThreshold).toBe(0.875);
  });

  it("needs two folds", () => {
    expect(() => kFoldVerification([pair(1, true), pair(0, false)])).toThrow("at least 2 folds, got 1");
  });

  it("stays within [0, 1] and does not change when scores are scaled and shifted (property)", () => {
    fc.assert(
      fc.property(integerPairs(), (pairs) => {
        fc.pre(new Set(pairs.map((p) => p.fold)).size >= 2);
        const result = kFoldVerification(pairs);
        expect(result.accuracy).toBeGreaterThanOrEqual(0);
        expect(result.accuracy).toBeLessThanOrEqual(1);
        expect(result.std).toBeGreaterThanOrEqual(0);
        expect(result.std).toBeLessThanOrEqual(0.5);
        const moved = kFoldVerification(pairs.map((p) => ({ ...p, score: 2 * p.score + 3 })));
        expect(moved.foldAccuracies).toEqual(result.foldAccuracies);
        expect(moved.accuracyAtThreshold).toBe(result.accuracyAtThreshold);
      }),
    );
  });
});

describe("tarAtFar", () => {
  it("accepts at most floor(far x impostors) different pairs", () => {
    expect(tarAtFar(PAIRS, 1e-3)).toEqual({ tar: 0.75, far: 0, threshold: 0.56, impostorPairs: 4 });
    expect(tarAtFar(PAIRS, 0.25)).toEqual({ tar: 0.75, far: 0.25, threshold: 0.51, impostorPairs: 4 });
    expect(tarAtFar(PAIRS, 0.5)).toMatchObject({ tar: 1, far: 0.5, impostorPairs: 4 });
    expect(tarAtFar(PAIRS, 0.5).threshold).toBeCloseTo(0.425, 12);
    expect(tarAtFar(PAIRS, 1).tar).toBe(1);
    expect(() => tarAtFar([pair(1, true)], 0.1)).toThrow("at least one same and one different pair");
  });

  it("equals the best TAR over every threshold whose FAR is within the target (property)", () => {
    fc.assert(
      fc.property(integerPairs(), fc.double({ min: 0, max: 1, noNaN: true }), (pairs, target) => {
        fc.pre(pairs.some((p) => p.same) && pairs.some((p) => !p.same));
        const result = tarAtFar(pairs, target);
        const genuine = pairs.filter((p) => p.same);
        const impostors = pairs.filter((p) => !p.same);
        const rates = (t: number) => ({
          tar: genuine.filter((p) => p.score >= t).length / genuine.length,
          far: impostors.filter((p) => p.score >= t).length / impostors.length,
        });
        const candidates = [...pairs.map((p) => p.score), Number.POSITIVE_INFINITY];
        const bruteForce = Math.max(
          ...candidates
            .map(rates)
            .filter((r) => r.far <= target + 1e-12)
            .map((r) => r.tar),
        );
        expect(result.tar).toBe(bruteForce);
        expect(result.far).toBeLessThanOrEqual(target + 1e-12);
        expect(rates(result.threshold)).toEqual({ tar: result.tar, far: result.far });
      }),
    );
  });
});

describe("rocCurve", () => {
  it("runs from (0, 0) to (1, 1) with one point per distinct score", () => {
    const roc = rocCurve(PAIRS);
    expect(roc.points.map((p) => [p.far, p.tar])).toEqual([
      [0, 0],
      [0, 0.25],
      [0, 0.5],
      [0, 0.75],
      [0.25, 0.75],
      [0.5, 0.75],
      [0.5, 1],
      [0.75, 1],
      [1, 1],
    ]);
    expect(roc.auc).toBe(0.875);
  });

  it("has an area equal to the chance that a same pair outscores a different one, ties half (property)", () => {
    fc.assert(
      fc.property(integerPairs(), (pairs: ScoredPair[]) => {
        const genuine = pairs.filter((p) => p.same);
        const impostors = pairs.filter((p) => !p.same);
        fc.pre(genuine.length > 0 && impostors.length > 0);
        let wins = 0;
        for (const g of genuine) {
          for (const i of impostors) wins += g.score > i.score ? 1 : g.score === i.score ? 0.5 : 0;
        }
        expect(rocCurve(pairs).auc).toBeCloseTo(wins / (genuine.length * impostors.length), 10);
      }),
    );
  });
});
