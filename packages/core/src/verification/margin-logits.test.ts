import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { cosineSimilarity, l2Normalize, marginCosine, marginLogits } from "./margin-logits.ts";

describe("l2Normalize and cosineSimilarity", () => {
  it("match hand-computed values", () => {
    expect(l2Normalize([3, 4])).toEqual([0.6, 0.8]);
    expect(l2Normalize([0, 0])).toEqual([0, 0]);
    expect(cosineSimilarity([1, 0], [1, 1])).toBeCloseTo(Math.SQRT1_2, 12);
    expect(cosineSimilarity([2, 0], [-5, 0])).toBe(-1);
    expect(() => cosineSimilarity([1], [1, 2])).toThrow("differ in length");
  });

  it("cosine lies in [-1, 1] and ignores the vectors' lengths (property)", () => {
    // Whole hundredths: denormal doubles would vanish when scaled, which no embedding does.
    const vec = fc.array(
      fc.integer({ min: -1000, max: 1000 }).map((n) => n / 100),
      { minLength: 3, maxLength: 3 },
    );
    fc.assert(
      fc.property(vec, vec, fc.double({ min: 0.1, max: 10, noNaN: true }), (a, b, k) => {
        const c = cosineSimilarity(a, b);
        expect(Math.abs(c)).toBeLessThanOrEqual(1 + 1e-12);
        expect(
          cosineSimilarity(
            a.map((x) => x * k),
            b,
          ),
        ).toBeCloseTo(c, 9);
      }),
    );
  });
});

describe("marginLogits", () => {
  it("CosFace subtracts the margin from the target cosine, then scales", () => {
    // s = 30, m = 0.35: target 0.8 -> 30 x 0.45 = 13.5; others 30 x cos.
    const logits = marginLogits("cosface", [0.8, 0.1, -0.2], 0, { margin: 0.35, scale: 30 });
    expect(logits[0]).toBeCloseTo(13.5, 12);
    expect(logits[1]).toBeCloseTo(3, 12);
    expect(logits[2]).toBeCloseTo(-6, 12);
  });

  it("ArcFace adds the margin to the target angle", () => {
    // cos θ = 0.5 (θ = 60°), m = 0.5 rad: cos(π/3 + 0.5) = 0.5 cos 0.5 − (√3/2) sin 0.5.
    const expected = 0.5 * Math.cos(0.5) - (Math.sqrt(3) / 2) * Math.sin(0.5);
    expect(marginCosine("arcface", 0.5, 0.5)).toBeCloseTo(expected, 12);
    expect(expected).toBeCloseTo(0.0235, 3);
    const logits = marginLogits("arcface", [0.3, 0.5], 1, { margin: 0.5, scale: 64 });
    expect(logits[0]).toBeCloseTo(19.2, 12);
    expect(logits[1]).toBeCloseTo(64 * expected, 10);
    // Past θ + m > π the fallback cos θ − m sin m keeps the logit falling: cos θ = −0.95, m = 0.5.
    expect(marginCosine("arcface", -0.95, 0.5)).toBeCloseTo(-0.95 - Math.sin(Math.PI - 0.5) * 0.5, 12);
  });

  it("the margin never raises the target logit and leaves the others alone (property)", () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: -1, max: 1, noNaN: true }), { minLength: 2, maxLength: 6 }),
        fc.nat(),
        fc.double({ min: 0, max: 0.8, noNaN: true }),
        fc.constantFrom("cosface" as const, "arcface" as const),
        (cosines, t, margin, kind) => {
          const target = t % cosines.length;
          const logits = marginLogits(kind, cosines, target, { margin, scale: 10 });
          cosines.forEach((c, j) => {
            if (j === target) expect(logits[j]).toBeLessThanOrEqual(10 * c + 1e-9);
            else expect(logits[j]).toBe(10 * c);
          });
        },
      ),
    );
  });
});
