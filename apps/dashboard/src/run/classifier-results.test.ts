import { describe, expect, it } from "vitest";
import { parseClassifierResults, rowShares } from "./classifier-results.ts";

describe("classifier results", () => {
  it("reads a single-label run's matrix, per-class scores and test metrics", () => {
    const parsed = parseClassifierResults({
      backend: "wasm",
      best_epoch: 7,
      "test/accuracy": 0.91,
      "test/f1": 0.9,
      per_class: [{ name: "cat", precision: 0.9, recall: 0.8, f1: 0.85, support: 10 }],
      confusion_matrix: {
        labels: ["cat", "dog"],
        matrix: [
          [8, 2],
          [1, 9],
        ],
      },
    });
    expect(parsed?.testMetrics).toEqual([
      ["test/accuracy", 0.91],
      ["test/f1", 0.9],
    ]);
    expect(parsed?.facts).toEqual([
      ["backend", "wasm"],
      ["best_epoch", "7"],
    ]);
    expect(parsed?.confusion_matrix).toEqual({
      labels: ["cat", "dog"],
      matrix: [
        [8, 2],
        [1, 9],
      ],
    });
  });

  it("is null for runs without classifier results", () => {
    expect(parseClassifierResults({})).toBeNull();
    expect(parseClassifierResults({ accuracy: 0.5 })).toBeNull();
  });

  it("normalises rows to shares, leaving empty rows at zero", () => {
    expect(
      rowShares([
        [3, 1],
        [0, 0],
      ]),
    ).toEqual([
      [0.75, 0.25],
      [0, 0],
    ]);
  });
});
