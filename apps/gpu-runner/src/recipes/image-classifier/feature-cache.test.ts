import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { type ImageClassifierSpecInput, imageClassifierSpec } from "@labtrack/schemas";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { writeClassFolderDataset } from "../../../test/synthetic-shapes.ts";
import { selectBestBackend } from "../../backends/select-backend.ts";
import { featureCacheMode, viewForEpoch } from "./feature-cache.ts";
import { runImageClassifier } from "./run-image-classifier.ts";
import { createMemoryReporter } from "./run-reporter.ts";

let workDir = "";

const specOf = (input: Omit<ImageClassifierSpecInput, "kind" | "data">) =>
  imageClassifierSpec.parse({
    kind: "image-classifier",
    data: { path: path.join(workDir, "shapes"), test_fraction: 0.2 },
    model: { backbone: "mobilenet_v2", input_size: 32 },
    batch_size: 8,
    early_stopping: { enabled: false },
    ...input,
  });

async function train(name: string, input: Omit<ImageClassifierSpecInput, "kind" | "data">) {
  const spec = specOf(input);
  const memory = createMemoryReporter();
  await runImageClassifier({
    spec,
    datasetDir: spec.data.path,
    artifactsDir: path.join(workDir, name),
    reporter: memory.reporter,
    shouldStop: () => false,
    backendName: "wasm",
  });
  return memory;
}

const trainLosses = (run: Awaited<ReturnType<typeof train>>) =>
  run.epochs.map((e) => e.metrics["train/loss"] ?? Number.NaN);

beforeAll(async () => {
  await selectBestBackend(["wasm"]);
  workDir = await mkdtemp(path.join(os.tmpdir(), "labtrack-feature-cache-"));
  await writeClassFolderDataset(path.join(workDir, "shapes"), ["circle", "square", "triangle"], 10, {
    seed: 11,
  });
});

afterAll(async () => {
  await rm(workDir, { recursive: true, force: true });
});

describe("feature cache for head-only phases", () => {
  it("is used only while the backbone is frozen and the views are fixed", () => {
    const spec = (augmentation: object, feature_cache = true) =>
      specOf({ augmentation, feature_cache, phases: [{ epochs: 1, learning_rate: 1e-3 }] });
    expect(featureCacheMode(spec({ enabled: false }), false)).toBe("plain");
    expect(featureCacheMode(spec({ enabled: false }), true)).toBe("none");
    expect(featureCacheMode(spec({ enabled: true }), false)).toBe("none");
    expect(featureCacheMode(spec({ enabled: true, fixed_views: 3 }), false)).toBe("views");
    expect(featureCacheMode(spec({ enabled: false }, false), false)).toBe("none");
    expect([0, 1, 2, 3, 4].map((epoch) => viewForEpoch(epoch, 3))).toEqual([0, 1, 2, 0, 1]);
  });

  it("trains the same head on cached features as through the backbone at every step", async () => {
    const common = { phases: [{ epochs: 3, learning_rate: 3e-3, trainable: "head" as const }] };
    const cached = await train("plain-cached", { ...common, augmentation: { enabled: false } });
    const uncached = await train("plain-uncached", {
      ...common,
      augmentation: { enabled: false },
      feature_cache: false,
    });
    const losses = trainLosses(cached);
    trainLosses(uncached).forEach((loss, i) => {
      expect(loss).toBeCloseTo(losses[i] ?? Number.NaN, 4);
    });
    expect(cached.results.at(-1)?.["test/accuracy"]).toBe(uncached.results.at(-1)?.["test/accuracy"]);
    expect(cached.results.at(-1)?.phases).toEqual([
      expect.objectContaining({ phase: 0, epochs_run: 3, feature_cache: "plain" }),
    ]);
    expect(uncached.results.at(-1)?.phases).toEqual([expect.objectContaining({ feature_cache: "none" })]);
    expect(cached.epochs[0]?.metrics.feature_extraction_s).toBeGreaterThan(0);
    expect(cached.epochs[1]?.metrics.feature_extraction_s).toBe(0);
  }, 120_000);

  it("fixed augmented views, as many as the phase's epochs, equal fresh views drawn every epoch", async () => {
    const common = { phases: [{ epochs: 2, learning_rate: 3e-3, trainable: "head" as const }] };
    const views = await train("views", { ...common, augmentation: { enabled: true, fixed_views: 2 } });
    const fresh = await train("fresh", { ...common, augmentation: { enabled: true } });
    const losses = trainLosses(views);
    trainLosses(fresh).forEach((loss, i) => {
      expect(loss).toBeCloseTo(losses[i] ?? Number.NaN, 4);
    });
    expect(views.results.at(-1)?.phases).toEqual([expect.objectContaining({ feature_cache: "views" })]);
    expect(views.results.at(-1)?.images_per_s).toBeGreaterThan(0);
  }, 120_000);
});
