import { describe, expect, it } from "vitest";
import {
  classificationReport,
  confusionMatrix,
  multiLabelF1,
  searchThresholds,
  thresholdGrid,
} from "./classification-metrics.ts";

describe("confusionMatrix", () => {
  it("counts (true, predicted) pairs with true classes as rows", () => {
    expect(confusionMatrix([0, 0, 1, 1, 2, 2], [0, 1, 1, 1, 2, 0], 3)).toEqual([
      [1, 1, 0],
      [0, 2, 0],
      [1, 0, 1],
    ]);
    expect(confusionMatrix([], [], 2)).toEqual([
      [0, 0],
      [0, 0],
    ]);
  });

  it("rejects mismatched lengths and labels out of range", () => {
    expect(() => confusionMatrix([0, 1], [0], 2)).toThrow("yTrue has 2 labels but yPred has 1");
    expect(() => confusionMatrix([0, 3], [0, 1], 3)).toThrow("label 3 at index 1 is not a class in 0..2");
    expect(() => confusionMatrix([0.5], [0], 2)).toThrow(RangeError);
  });
});

describe("classificationReport", () => {
  it("matches a hand-computed three-class report", () => {
    const report = classificationReport(
      [
        [1, 1, 0],
        [0, 2, 0],
        [1, 0, 1],
      ],
      ["cat", "dog", "fox"],
    );
    expect(report.accuracy).toBeCloseTo(4 / 6, 12);
    const [cat, dog, fox] = report.perClass;
    expect(cat).toMatchObject({ name: "cat", precision: 0.5, recall: 0.5, f1: 0.5, support: 2 });
    expect(dog?.precision).toBeCloseTo(2 / 3, 12);
    expect(dog?.recall).toBe(1);
    expect(dog?.f1).toBeCloseTo(0.8, 12);
    expect(fox?.precision).toBe(1);
    expect(fox?.f1).toBeCloseTo(2 / 3, 12);
    expect(report.macro.precision).toBeCloseTo((0.5 + 2 / 3 + 1) / 3, 12);
    expect(report.macro.recall).toBeCloseTo(2 / 3, 12);
    expect(report.macro.f1).toBeCloseTo((0.5 + 0.8 + 2 / 3) / 3, 12);
    expect(report.weighted.f1).toBeCloseTo(report.macro.f1, 12);
  });

  it("weights by support", () => {
    const report = classificationReport([
      [2, 1],
      [0, 1],
    ]);
    expect(report.perClass.map((c) => c.name)).toEqual(["0", "1"]);
    expect(report.weighted.precision).toBeCloseTo((3 * 1 + 0.5) / 4, 12);
    expect(report.weighted.recall).toBeCloseTo(0.75, 12);
    expect(report.weighted.f1).toBeCloseTo((3 * 0.8 + 2 / 3) / 4, 12);
  });

  it("uses 0 for undefined ratios, like zero_division=0", () => {
    const report = classificationReport([
      [1, 0],
      [0, 0],
    ]);
    expect(report.perClass[1]).toEqual({ name: "1", precision: 0, recall: 0, f1: 0, support: 0 });
    expect(report.macro).toEqual({ precision: 0.5, recall: 0.5, f1: 0.5 });
    expect(report.weighted).toEqual({ precision: 1, recall: 1, f1: 1 });
    expect(classificationReport([[0]]).accuracy).toBe(0);
  });
});

const yTrue = [
  [1, 0],
  [1, 1],
  [0, 1],
  [0, 0],
];
const probs = [
  [0.9, 0.2],
  [0.4, 0.7],
  [0.6, 0.3],
  [0.1, 0.8],
];

describe("multiLabelF1", () => {
  it("scores each class at its threshold", () => {
    const result = multiLabelF1(yTrue, probs, [0.5, 0.5]);
    expect(result.micro).toEqual({ precision: 0.5, recall: 0.5, f1: 0.5 });
    expect(result.macro).toEqual({ precision: 0.5, recall: 0.5, f1: 0.5 });
    expect(result.perClass[0]).toEqual({ precision: 0.5, recall: 0.5, f1: 0.5, support: 2, threshold: 0.5 });
  });

  it("uses per-class thresholds, predicting at probability >= threshold", () => {
    const result = multiLabelF1(yTrue, probs, [0.4, 0.75]);
    expect(result.perClass[0]?.precision).toBeCloseTo(2 / 3, 12);
    expect(result.perClass[0]?.recall).toBe(1);
    expect(result.perClass[0]?.f1).toBeCloseTo(0.8, 12);
    expect(result.perClass[1]).toMatchObject({ precision: 0, recall: 0, f1: 0 });
    expect(result.macro.f1).toBeCloseTo(0.4, 12);
    expect(result.micro).toEqual({ precision: 0.5, recall: 0.5, f1: 0.5 });
  });

  it("broadcasts a single threshold and checks shapes", () => {
    expect(multiLabelF1(yTrue, probs, [0.5])).toEqual(multiLabelF1(yTrue, probs, [0.5, 0.5]));
    expect(() => multiLabelF1(yTrue, probs, [0.1, 0.2, 0.3])).toThrow("expected 1 or 2 thresholds, got 3");
    expect(() => multiLabelF1(yTrue, probs.slice(1), [0.5])).toThrow("yTrue has 4 rows but probs has 3");
    expect(() => multiLabelF1([[1, 0]], [[0.5]], [0.5])).toThrow(RangeError);
  });
});

describe("thresholdGrid", () => {
  it("runs 0.05..0.95 by 0.01 without float drift", () => {
    const grid = thresholdGrid();
    expect(grid).toHaveLength(91);
    expect(grid).toEqual(grid.map((_, k) => Number(((5 + k) / 100).toFixed(2))));
    expect(grid).toContain(0.29);
    expect(grid).toContain(0.57);
    expect(thresholdGrid({ min: 0.1, max: 0.5, step: 0.1 })).toEqual([0.1, 0.2, 0.3, 0.4, 0.5]);
    expect(() => thresholdGrid({ step: 0 })).toThrow(RangeError);
  });
});

describe("searchThresholds", () => {
  it("finds the best global and per-class thresholds", () => {
    const result = searchThresholds(yTrue, probs);
    expect(result.global.threshold).toBe(0.21);
    expect(result.global.macroF1).toBeCloseTo(0.8, 12);
    expect(result.perClass).toEqual([0.11, 0.21]);
    expect(result.macroF1PerClassThresholds).toBeCloseTo(0.8, 12);
  });

  it("never does worse per class than the global threshold", () => {
    const t = [
      [1, 0, 0],
      [0, 1, 0],
      [0, 0, 1],
      [1, 1, 0],
      [0, 1, 1],
    ];
    const p = [
      [0.8, 0.3, 0.1],
      [0.2, 0.55, 0.4],
      [0.1, 0.2, 0.35],
      [0.7, 0.6, 0.3],
      [0.3, 0.9, 0.62],
    ];
    const result = searchThresholds(t, p, { min: 0.1, max: 0.9, step: 0.05 });
    expect(result.macroF1PerClassThresholds).toBeGreaterThanOrEqual(result.global.macroF1);
    expect(result.perClass).toHaveLength(3);
  });
});
