import * as tf from "@tensorflow/tfjs";
import { beforeAll, describe, expect, it } from "vitest";
import { selectBestBackend } from "../../../backends/select-backend.ts";
import type { Backbone } from "../backbones.ts";
import type { ExampleSet } from "../example-set.ts";
import { createRandom } from "../seeded-random.ts";
import { validationMetrics } from "../split-metrics.ts";
import { predictSet } from "../training-loop.ts";
import { buildEmbeddingModel } from "./embedding-model.ts";
import { identityMetrics } from "./identity-metrics.ts";

const SIZE = 4;

function poolingBackbone(): Backbone {
  const input = tf.input({ shape: [SIZE, SIZE, 3] });
  const pooled = tf.layers.globalAveragePooling2d({}).apply(input) as tf.SymbolicTensor;
  const model = tf.model({ inputs: input, outputs: pooled });
  return { name: "pool", model, layers: [], featureDim: 3, pretrained: false };
}

function randomSet(count: number, classes: number): ExampleSet {
  const random = createRandom(3);
  return {
    images: Array.from({ length: count }, () => ({
      size: SIZE,
      pixels: Uint8Array.from({ length: SIZE * SIZE * 3 }, () => Math.floor(random() * 256)),
    })),
    labels: Array.from({ length: count }, (_, i) => [i % classes]),
  };
}

beforeAll(async () => {
  await selectBestBackend(["cpu"]);
});

describe("identityMetrics", () => {
  it("gives the classifier's validation numbers without keeping a row per image", () => {
    const classes = 5;
    const classifier = buildEmbeddingModel(poolingBackbone(), {
      hiddenUnits: [],
      dropout: 0,
      head: { kind: "cosface", embedding_dim: 4, margin: 0.35, scale: 8 },
      numClasses: classes,
      seed: 9,
    });
    const set = randomSet(23, classes);
    const streamed = identityMetrics(classifier, set, 4, classes, "val");
    const names = Array.from({ length: classes }, (_, i) => `id${i}`);
    const reference = validationMetrics(false, predictSet(classifier, set, 4), set.labels, names);
    for (const key of ["val/loss", "val/accuracy", "val/precision", "val/recall", "val/f1"]) {
      expect(streamed[key], key).toBeCloseTo(reference[key] ?? Number.NaN, 5);
    }
    expect(Object.keys(identityMetrics(classifier, set, 7, classes, "test"))).toContain("test/accuracy");
  });
});
