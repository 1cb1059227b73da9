import { existsSync } from "node:fs";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { type ImageClassifierSpecInput, imageClassifierSpec } from "@labtrack/schemas";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { writeClassFolderDataset, writeMultiLabelDataset } from "../../../test/synthetic-shapes.ts";
import { type BackendChoice, selectBestBackend } from "../../backends/select-backend.ts";
import { loadClassifier } from "./predict.ts";
import { runImageClassifier } from "./run-image-classifier.ts";
import { createMemoryReporter } from "./run-reporter.ts";

let workDir = "";

async function train(name: string, backend: BackendChoice, input: Omit<ImageClassifierSpecInput, "kind">) {
  const selected = await selectBestBackend([backend]);
  const spec = imageClassifierSpec.parse({ kind: "image-classifier", ...input });
  const memory = createMemoryReporter();
  const artifactsDir = path.join(workDir, "artifacts", name);
  const result = await runImageClassifier({
    spec,
    datasetDir: spec.data.path,
    artifactsDir,
    reporter: memory.reporter,
    shouldStop: () => false,
    backendName: selected.choice,
  });
  return { result, ...memory, artifactsDir };
}

const noAugmentation = { enabled: false };

beforeAll(async () => {
  workDir = await mkdtemp(path.join(os.tmpdir(), "labtrack-image-classifier-"));
  await writeClassFolderDataset(path.join(workDir, "three-shapes"), ["circle", "square", "triangle"], 20, {
    corruptPerClass: 1,
  });
  await writeClassFolderDataset(path.join(workDir, "two-shapes"), ["circle", "square"], 20, { seed: 3 });
  await writeClassFolderDataset(path.join(workDir, "outlines"), ["circle", "square", "triangle"], 16, {
    seed: 5,
    colourByShape: false,
  });
  await writeMultiLabelDataset(path.join(workDir, "multi-label"), 90);
});

afterAll(async () => {
  await rm(workDir, { recursive: true, force: true });
});

describe("image-classifier recipe", () => {
  it("learns three classes from scratch on wasm, skips corrupt images and exports a working model", async () => {
    const run = await train("scratch-multiclass", "wasm", {
      data: { path: path.join(workDir, "three-shapes") },
      model: { backbone: "scratch_cnn", input_size: 32 },
      phases: [{ epochs: 4, learning_rate: 3e-3, trainable: "all" }],
      batch_size: 16,
      augmentation: noAugmentation,
    });
    expect(run.result.skippedImages).toHaveLength(3);
    expect(run.results.at(-1)?.images_skipped).toBe(3);
    expect(run.logs.filter((line) => line.includes("skipped undecodable image"))).toHaveLength(3);
    expect(run.result.testMetrics["test/accuracy"]).toBeGreaterThan(0.6);
    expect(run.epochs.map((e) => e.step)).toEqual([0, 1, 2, 3]);
    expect(Object.keys(run.epochs[0]?.metrics ?? {})).toEqual(
      expect.arrayContaining(["train/loss", "val/f1", "val/precision", "lr", "epoch_time_s", "images_per_s"]),
    );
    const summary = run.results.at(-1);
    expect(summary?.confusion_matrix).toMatchObject({ labels: ["circle", "square", "triangle"] });
    for (const file of ["model/model.json", "model/labels.txt", "metrics.json", "confusion_matrix.json"]) {
      expect(existsSync(path.join(run.artifactsDir, file)), file).toBe(true);
    }

    const classifier = await loadClassifier(run.result.modelDir);
    const image = await readFile(path.join(workDir, "three-shapes", "square", "square-0.png"));
    const prediction = await classifier.predict(image);
    expect(prediction.probabilities.map((p) => p.label).sort()).toEqual(["circle", "square", "triangle"]);
    expect(prediction.probabilities[0]?.label).toBe("square");
    classifier.dispose();
  }, 120_000);

  it("trains a binary problem with one sigmoid unit on MobileNetV2 features", async () => {
    const run = await train("binary", "wasm", {
      data: { path: path.join(workDir, "two-shapes"), test_fraction: 0.3 },
      model: { backbone: "mobilenet_v2", input_size: 64 },
      phases: [{ epochs: 8, learning_rate: 3e-3, trainable: "head" }],
      batch_size: 8,
      augmentation: noAugmentation,
    });
    const config = JSON.parse(
      await readFile(path.join(run.result.modelDir, "inference_config.json"), "utf8"),
    );
    expect(config).toMatchObject({
      output: "binary-sigmoid",
      class_names: ["circle", "square"],
      input_size: 64,
    });
    const modelJson = await readFile(path.join(run.result.modelDir, "model.json"), "utf8");
    expect(modelJson).toContain('"units":1');
    expect(run.result.splitSizes.test).toBe(12);
    expect(run.result.testMetrics["test/accuracy"]).toBeGreaterThan(0.8);
  }, 120_000);

  it("learns multi-label data from a CSV and searches thresholds on the validation split", async () => {
    const run = await train("multi-label", "wasm", {
      data: { path: path.join(workDir, "multi-label") },
      model: { backbone: "mobilenet_v2", input_size: 64 },
      phases: [{ epochs: 8, learning_rate: 3e-3, trainable: "head" }],
      batch_size: 16,
      augmentation: noAugmentation,
      early_stopping: { enabled: false },
    });
    expect(run.result.multiLabel).toBe(true);
    // Predicting every label for every image scores 0.5 here; chance does not reach 0.8.
    expect(run.result.testMetrics["test/accuracy"]).toBeGreaterThan(0.8);
    expect(run.result.testMetrics["test/f1_macro"]).toBeGreaterThan(0.75);
    expect(run.epochs[0]?.metrics).toHaveProperty("val/f1_micro");
    const thresholds = run.result.thresholds ?? [];
    expect([1, 3]).toContain(thresholds.length);
    for (const t of thresholds) expect(t).toBeGreaterThanOrEqual(0.05);
    expect(run.results.at(-1)?.thresholds).toEqual(thresholds);
  }, 120_000);

  it("gives the same split and the same metrics twice with the same seed, on cpu and on wasm", async () => {
    for (const backend of ["cpu", "wasm"] as const) {
      const runs = [];
      for (const attempt of [1, 2]) {
        runs.push(
          await train(`repeat-${backend}-${attempt}`, backend, {
            seed: 42,
            data: { path: path.join(workDir, "two-shapes") },
            model: { backbone: "scratch_cnn", input_size: 32, dropout: 0.3 },
            phases: [{ epochs: 2, learning_rate: 3e-3, trainable: "all" }],
            batch_size: 16,
            augmentation: { enabled: true, rotation_degrees: 15, zoom: 0.2 },
          }),
        );
      }
      const [first, second] = runs;
      expect(first?.result.splitSizes).toEqual(second?.result.splitSizes);
      const metricsOf = (run: typeof first) =>
        run?.epochs.map((e) => ({ ...e.metrics, epoch_time_s: 0, images_per_s: 0 }));
      expect(metricsOf(first)).toEqual(metricsOf(second));
      expect(first?.result.testMetrics).toEqual(second?.result.testMetrics);
    }
  }, 180_000);

  it("transfers: pretrained MobileNetV2 beats scratch_cnn at equal epochs on a small set", async () => {
    const common = {
      data: { path: path.join(workDir, "outlines"), val_fraction: 0.25, test_fraction: 0.25 },
      batch_size: 8,
      augmentation: noAugmentation,
      early_stopping: { enabled: false },
    };
    const pretrained = await train("transfer-mobilenet", "wasm", {
      ...common,
      model: { backbone: "mobilenet_v2", input_size: 64 },
      phases: [{ epochs: 4, learning_rate: 3e-3, trainable: "head" }],
    });
    const scratch = await train("transfer-scratch", "wasm", {
      ...common,
      model: { backbone: "scratch_cnn", input_size: 64 },
      phases: [{ epochs: 4, learning_rate: 3e-3, trainable: "all" }],
    });
    const accuracy = (run: typeof scratch) => run.result.testMetrics["test/accuracy"] ?? 0;
    expect(accuracy(pretrained)).toBeGreaterThan(accuracy(scratch) + 0.15);
    const lastValLoss = (run: typeof scratch) => run.epochs.at(-1)?.metrics["val/loss"] ?? 0;
    expect(lastValLoss(pretrained)).toBeLessThan(lastValLoss(scratch));
  }, 180_000);
});
