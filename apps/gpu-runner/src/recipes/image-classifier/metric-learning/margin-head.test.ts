import { marginLogits } from "@labtrack/core";
import * as tf from "@tensorflow/tfjs";
import { beforeAll, describe, expect, it } from "vitest";
import { selectBestBackend } from "../../../backends/select-backend.ts";
import { applyMargin, CosineLogits, type MarginHead } from "./margin-head.ts";

beforeAll(async () => {
  await selectBestBackend(["cpu"]);
});

const head = (kind: "cosface" | "arcface", margin: number, scale: number): MarginHead => ({
  kind,
  settings: { margin, scale },
  centres: new CosineLogits(3, scale, 1),
});

describe("CosineLogits", () => {
  it("answers scale x the cosine between the embedding and each class centre", () => {
    const layer = new CosineLogits(2, 10, 1);
    layer.build([null, 2]);
    layer.setWeights([
      tf.tensor2d([
        [2, 0],
        [0, 5],
      ]),
    ]);
    // [3, 4] / 5 against centres [1, 0] and [0, 1].
    const logits = layer.apply(tf.tensor2d([[3, 4]])) as tf.Tensor2D;
    const values = Array.from(logits.dataSync());
    expect(values[0]).toBeCloseTo(6, 5);
    expect(values[1]).toBeCloseTo(8, 5);
  });
});

describe("applyMargin", () => {
  const cosines = [
    [0.8, 0.1, -0.2],
    [0.5, 0.3, -0.95],
  ];
  const targets = [0, 2];
  for (const [kind, margin, scale] of [
    ["cosface", 0.35, 30],
    ["arcface", 0.5, 64],
  ] as const) {
    it(`${kind}: matches @labtrack/core's marginLogits on every row`, () => {
      const scaled = tf.mul(tf.tensor2d(cosines), scale) as tf.Tensor2D;
      const oneHot = tf.oneHot(tf.tensor1d(targets, "int32"), 3).toFloat() as tf.Tensor2D;
      const got = applyMargin(head(kind, margin, scale), scaled, oneHot).arraySync();
      cosines.forEach((row, i) => {
        const expected = marginLogits(kind, row, targets[i] as number, { margin, scale });
        expected.forEach((value, j) => {
          expect(got[i]?.[j]).toBeCloseTo(value, 3);
        });
      });
    });
  }

  it("CosFace by hand: s x (0.8 - 0.35) for the target, s x cos for the others", () => {
    const got = applyMargin(
      head("cosface", 0.35, 30),
      tf.tensor2d([[24, 3, -6]]),
      tf.tensor2d([[1, 0, 0]]),
    ).arraySync();
    expect(got[0]?.[0]).toBeCloseTo(13.5, 4);
    expect(got[0]?.[1]).toBeCloseTo(3, 4);
    expect(got[0]?.[2]).toBeCloseTo(-6, 4);
  });
});
