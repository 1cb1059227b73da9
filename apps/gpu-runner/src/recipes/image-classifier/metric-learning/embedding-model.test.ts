import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { imageClassifierSpec } from "@labtrack/schemas";
import * as tf from "@tensorflow/tfjs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { selectBestBackend } from "../../../backends/select-backend.ts";
import type { Backbone } from "../backbones.ts";
import { backboneFeatures } from "../classifier-model.ts";
import { type ExampleSet, imageBatch } from "../example-set.ts";
import { createMemoryReporter } from "../run-reporter.ts";
import { createRandom } from "../seeded-random.ts";
import { trainPhases } from "../training-loop.ts";
import { buildEmbeddingModel, embeddingsFromFeatures } from "./embedding-model.ts";

const SIZE = 4;
const CLASSES = 4;
let work = "";

/** Flattened pixels as features: all positive with a large shared part, as pooled ReLU features are. */
function flatteningBackbone(): Backbone {
  const input = tf.input({ shape: [SIZE, SIZE, 3] });
  const flat = tf.layers.flatten({}).apply(input) as tf.SymbolicTensor;
  const model = tf.model({ inputs: input, outputs: flat });
  return { name: "flatten", model, layers: [], featureDim: SIZE * SIZE * 3, pretrained: false };
}

/** Bright images (about 200 of 255) where each class lights up its own row of pixels a little more. */
function separableSet(perClass: number, seed: number): ExampleSet {
  const random = createRandom(seed);
  const images: ExampleSet["images"] = [];
  const labels: number[][] = [];
  for (let c = 0; c < CLASSES; c++) {
    for (let n = 0; n < perClass; n++) {
      const pixels = Uint8Array.from({ length: SIZE * SIZE * 3 }, (_, j) => {
        const row = Math.floor(j / (SIZE * 3));
        return Math.round(190 + (row === c ? 50 : 0) + random() * 15);
      });
      images.push({ size: SIZE, pixels });
      labels.push([c]);
    }
  }
  return { images, labels };
}

function cosine(a: number[], b: number[]): number {
  let dot = 0;
  for (let i = 0; i < a.length; i++) dot += (a[i] ?? 0) * (b[i] ?? 0);
  return dot;
}

beforeAll(async () => {
  await selectBestBackend(["cpu"]);
  work = await mkdtemp(path.join(os.tmpdir(), "labtrack-embedding-model-"));
});

afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

describe("buildEmbeddingModel", () => {
  it("after a short head-only training, embeddings of different identities point apart", async () => {
    const spec = imageClassifierSpec.parse({
      kind: "image-classifier",
      task: "metric-learning",
      data: { path: work },
      model: {
        backbone: "scratch_cnn",
        input_size: 32,
        dropout: 0,
        head: { kind: "cosface", embedding_dim: 8, scale: 16 },
      },
      phases: [{ epochs: 4, learning_rate: 1e-2, trainable: "head" }],
      batch_size: 8,
      augmentation: { enabled: false },
      early_stopping: { enabled: false },
      checkpoint: { keep_all: false },
    });
    const classifier = buildEmbeddingModel(flatteningBackbone(), {
      hiddenUnits: [],
      dropout: 0,
      head: spec.model.head ?? { kind: "cosface", embedding_dim: 8, margin: 0.35, scale: 16 },
      numClasses: CLASSES,
      seed: 5,
    });
    const train = separableSet(12, 1);
    const val = separableSet(5, 2);
    await trainPhases({
      spec,
      classifier,
      classNames: Array.from({ length: CLASSES }, (_, c) => `id${c}`),
      multiLabel: false,
      train,
      val,
      classWeights: Array.from({ length: CLASSES }, () => 1),
      reporter: createMemoryReporter().reporter,
      artifactsDir: work,
      shouldStop: () => false,
    });
    const embeddings = tf.tidy(() =>
      embeddingsFromFeatures(
        classifier,
        backboneFeatures(
          classifier,
          imageBatch(
            val,
            val.images.map((_, i) => i),
          ),
        ),
      ),
    );
    const rows = embeddings.arraySync();
    embeddings.dispose();
    const same: number[] = [];
    const different: number[] = [];
    rows.forEach((a, i) => {
      rows.forEach((b, j) => {
        if (j <= i) return;
        (val.labels[i]?.[0] === val.labels[j]?.[0] ? same : different).push(cosine(a, b));
      });
    });
    const mean = (values: number[]) => values.reduce((s, v) => s + v, 0) / values.length;
    // A head whose embeddings all share one direction scores different identities near 1 too.
    expect(mean(different)).toBeLessThan(0.3);
    expect(mean(same)).toBeGreaterThan(mean(different) + 0.4);
  }, 60_000);
});
