import { describe, expect, it } from "vitest";
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

  it("accepts the ImageNet ResNet50 backbone", () => {
    const spec = imageClassifierSpec.parse({
      kind: "image-classifier",
      data: { path: "/data/flowers" },
      model: { backbone: "resnet50_imagenet", input_size: 128 },
    });
    expect(spec.model.backbone).toBe("resnet50_imagenet");
  });
});
