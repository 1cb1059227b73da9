import { describe, expect, it } from "vitest";
import { teacherRunId } from "./spec-distillation.ts";
import { imageClassifierSpec } from "./spec-image-classifier.ts";

describe("imageClassifierSpec", () => {
  it("fills seed 000's two phases and the other defaults from a minimal spec", () => {
    const spec = imageClassifierSpec.parse({ kind: "image-classifier", data: { path: "/data/cats-dogs" } });
    expect(spec.phases).toEqual([
      expect.objectContaining({ epochs: 10, learning_rate: 1e-3, trainable: "head", optimizer: "adam" }),
      expect.objectContaining({ epochs: 20, learning_rate: 1e-5, trainable: { last_n_layers: 50 } }),
    ]);
    expect(spec.model).toMatchObject({ backbone: "mobilenet_v2", input_size: 224 });
    expect(spec.data).toMatchObject({ val_fraction: 0.2, test_fraction: 0.1, layout: "auto" });
    expect(spec.early_stopping).toMatchObject({ enabled: true, monitor: "val/loss", restore_best: true });
    expect(spec.threshold_search).toMatchObject({ grid_min: 0.05, grid_max: 0.95, grid_step: 0.01 });
    expect(spec.checkpoint.every).toBe("epoch");
  });

  it("names the field that is wrong", () => {
    const result = imageClassifierSpec.safeParse({
      kind: "image-classifier",
      data: { path: "x", val_fraction: 0.5, test_fraction: 0.45 },
      model: { backbone: "resnet50" },
    });
    expect(result.success).toBe(false);
    const paths = result.error?.issues.map((issue) => issue.path.join("."));
    expect(paths).toContain("model.backbone");
    expect(paths).toContain("data.test_fraction");
  });

  it("accepts a user's tfjs model and a differential learning rate", () => {
    const spec = imageClassifierSpec.parse({
      kind: "image-classifier",
      data: { path: "dataset:flowers@3" },
      model: { backbone: "tfjs:/models/mobilenet-imagenet", feature_layer: "global_average_pooling2d" },
      phases: [{ epochs: 3, learning_rate: 1e-4, trainable: "all", backbone_lr_multiplier: 0.1 }],
    });
    expect(spec.phases[0]).toMatchObject({ trainable: "all", backbone_lr_multiplier: 0.1 });
  });

  it("takes a distillation teacher by run id or tfjs folder, with seed 002's alpha and temperature", () => {
    const base = { kind: "image-classifier", data: { path: "/data/multilabel" } };
    const byRun = imageClassifierSpec.parse({
      ...base,
      distillation: { teacher: "6F1C1A52-3F0E-4D61-9A8E-3B0A3C1D2E4F" },
    });
    expect(byRun.distillation).toEqual({
      teacher: "6F1C1A52-3F0E-4D61-9A8E-3B0A3C1D2E4F",
      alpha: 0.7,
      temperature: 2,
    });
    expect(teacherRunId(byRun.distillation?.teacher ?? "")).toBe("6f1c1a52-3f0e-4d61-9a8e-3b0a3c1d2e4f");
    expect(teacherRunId("tfjs:/models/teacher")).toBeNull();
    const byFolder = imageClassifierSpec.parse({
      ...base,
      distillation: { teacher: "tfjs:/models/teacher" },
    });
    expect(byFolder.distillation?.teacher).toBe("tfjs:/models/teacher");
    expect(imageClassifierSpec.parse(base).distillation).toBeUndefined();
    const bad = imageClassifierSpec.safeParse({
      ...base,
      distillation: { teacher: "efficientnet_b3", alpha: 1.5, temperature: 0 },
    });
    const paths = bad.error?.issues.map((issue) => issue.path.join("."));
    expect(paths).toEqual(
      expect.arrayContaining(["distillation.teacher", "distillation.alpha", "distillation.temperature"]),
    );
    const metric = imageClassifierSpec.safeParse({
      ...base,
      task: "metric-learning",
      model: { head: { kind: "cosface", embedding_dim: 64 } },
      distillation: { teacher: "tfjs:/models/teacher" },
    });
    expect(metric.error?.issues.map((issue) => issue.path.join("."))).toEqual(["distillation"]);
  });

  it("caches head-only features by default; augmented views are fresh unless fixed_views is set", () => {
    const spec = imageClassifierSpec.parse({ kind: "image-classifier", data: { path: "/d" } });
    expect(spec.feature_cache).toBe(true);
    expect(spec.augmentation.fixed_views).toBe(0);
    const fixed = imageClassifierSpec.safeParse({
      kind: "image-classifier",
      data: { path: "/d" },
      augmentation: { fixed_views: 33 },
    });
    expect(fixed.error?.issues[0]?.path.join(".")).toBe("augmentation.fixed_views");
  });

  it("accepts the ImageNet ResNet50 backbone", () => {
    const spec = imageClassifierSpec.parse({
      kind: "image-classifier",
      data: { path: "/data/flowers" },
      model: { backbone: "resnet50_imagenet", input_size: 128 },
    });
    expect(spec.model.backbone).toBe("resnet50_imagenet");
  });
});
