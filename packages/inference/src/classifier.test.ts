import { mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import * as tf from "@tensorflow/tfjs";
import sharp from "sharp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { interpretOutput, loadClassifier, UndecodableImageError } from "./classifier.ts";
import { ensureInferenceBackend } from "./inference-backend.ts";
import type { InferenceConfig } from "./inference-config.ts";
import { saveModelToDir } from "./model-files.ts";

const SIZE = 8;

const config = (over: Partial<InferenceConfig> = {}): InferenceConfig => ({
  format: "labtrack-image-classifier/1",
  input_size: SIZE,
  preprocessing: { resize: "stretch", channels: "RGB", scale: 1 / 255, offset: 0 },
  output: "softmax",
  class_names: ["dark", "bright"],
  multi_label: false,
  backbone: "scratch_cnn",
  ...over,
});

/** A fixed model: mean brightness decides the class (no training needed to know the answer). */
function brightnessModel(): tf.LayersModel {
  const input = tf.input({ shape: [SIZE, SIZE, 3] });
  const pooled = tf.layers.globalAveragePooling2d({}).apply(input) as tf.SymbolicTensor;
  const dense = tf.layers.dense({
    units: 2,
    activation: "softmax",
    weights: [
      tf.tensor2d([
        [-10, 10],
        [-10, 10],
        [-10, 10],
      ]),
      tf.tensor1d([5, -5]),
    ],
  });
  return tf.model({ inputs: input, outputs: dense.apply(pooled) as tf.SymbolicTensor });
}

const solidPng = (value: number) =>
  sharp({ create: { width: 20, height: 12, channels: 3, background: { r: value, g: value, b: value } } })
    .png()
    .toBuffer();

describe("loadClassifier", () => {
  let dir: string;
  beforeAll(async () => {
    await ensureInferenceBackend();
    dir = await mkdtemp(path.join(os.tmpdir(), "labtrack-inference-"));
    await saveModelToDir(brightnessModel(), dir);
    await writeFile(path.join(dir, "inference_config.json"), JSON.stringify(config()));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it("classifies images of any size after resizing them as training did", async () => {
    const classifier = await loadClassifier(dir);
    const bright = await classifier.predict(await solidPng(250));
    const dark = await classifier.predict(await solidPng(5));
    expect(bright.predicted).toBe("bright");
    expect(dark.predicted).toBe("dark");
    expect(bright.probabilities[0]?.p).toBeGreaterThan(0.9);
    expect(bright.probabilities.reduce((sum, p) => sum + p.p, 0)).toBeCloseTo(1, 5);
    classifier.dispose();
  });

  it("refuses bytes that are not an image with UndecodableImageError", async () => {
    const classifier = await loadClassifier(dir);
    await expect(classifier.predict(Buffer.from("not an image"))).rejects.toBeInstanceOf(
      UndecodableImageError,
    );
    classifier.dispose();
  });

  it("names the file and field when the inference config is malformed", async () => {
    const bad = await mkdtemp(path.join(os.tmpdir(), "labtrack-inference-bad-"));
    await writeFile(path.join(bad, "inference_config.json"), JSON.stringify({ ...config(), input_size: -1 }));
    await expect(loadClassifier(bad)).rejects.toThrow(/inference_config\.json.*input_size/);
    await rm(bad, { recursive: true, force: true });
  });
});

describe("interpretOutput", () => {
  it("multi-label: predicts the classes at or over their own threshold", () => {
    const multi = config({
      output: "multi-sigmoid",
      multi_label: true,
      class_names: ["cat", "dog", "car"],
      thresholds: [0.3, 0.7, 0.5],
    });
    const result = interpretOutput(multi, [0.35, 0.65, 0.9]);
    expect(result.predicted).toEqual(["cat", "car"]);
    expect(result.thresholds).toEqual({ cat: 0.3, dog: 0.7, car: 0.5 });
  });

  it("binary sigmoid: one output unit becomes two class probabilities", () => {
    const binary = config({ output: "binary-sigmoid" });
    const result = interpretOutput(binary, [0.8]);
    expect(result.predicted).toBe("bright");
    expect(result.probabilities).toEqual([
      { label: "bright", p: 0.8 },
      { label: "dark", p: expect.closeTo(0.2, 6) },
    ]);
  });
});
