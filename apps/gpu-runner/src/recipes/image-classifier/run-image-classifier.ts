import { mkdir } from "node:fs/promises";
import path from "node:path";
import type { ImageClassifierSpec, JsonValue } from "@labtrack/schemas";
import * as tf from "@tensorflow/tfjs";
import { loadBackbone } from "./backbones.ts";
import { findResumeCheckpoint, readCheckpoint } from "./checkpoint.ts";
import { buildClassifier, type OutputKind } from "./classifier-model.ts";
import { listDataset } from "./dataset-listing.ts";
import { splitDataset } from "./dataset-split.ts";
import { type DistillationTargets, prepareDistillation } from "./distillation-teacher.ts";
import { decodeExamples, type ExampleSet, type SkippedImage } from "./example-set.ts";
import { exportClassifier, MODEL_DIR, writeJsonArtifact } from "./export-model.ts";
import { resolveClassWeights } from "./losses.ts";
import { buildEmbeddingModel } from "./metric-learning/embedding-model.ts";
import { identityMetrics } from "./metric-learning/identity-metrics.ts";
import { prepareMetricLearning } from "./metric-learning/metric-learning-run.ts";
import { overallImagesPerSecond, phaseThroughput } from "./phase-throughput.ts";
import type { RunReporter } from "./run-reporter.ts";
import { asJson, chooseThresholds, evaluateTestSplit } from "./test-evaluation.ts";
import { predictSet, TrainingInterrupted, trainPhases } from "./training-loop.ts";

export interface ImageClassifierRun {
  spec: ImageClassifierSpec;
  /** A local folder: `dataset:` references are resolved by the runner before the recipe starts. */
  datasetDir: string;
  /** Metric learning: the local folder of `spec.verification.path` (resolved like `datasetDir`). */
  verificationDir?: string;
  artifactsDir: string;
  resumeDir?: string;
  /** The distillation teacher's model folder, fetched by the runner when the spec names a run. */
  teacherDir?: string;
  reporter: RunReporter;
  shouldStop: () => boolean;
  /** The tfjs backend in use, for the summary. */
  backendName: string;
}

export interface ImageClassifierResult {
  classNames: string[];
  multiLabel: boolean;
  splitSizes: { train: number; val: number; test: number };
  skippedImages: SkippedImage[];
  testMetrics: Record<string, number>;
  thresholds?: number[];
  bestEpoch: number | null;
  epochsRun: number;
  resumedFromEpoch: number | null;
  modelDir: string;
}

const MAX_SKIPPED_LOGGED = 20;

function chooseOutputKind(spec: ImageClassifierSpec, multiLabel: boolean, numClasses: number): OutputKind {
  if (multiLabel) return "multi-sigmoid";
  if (spec.task === "metric-learning") return "softmax";
  return numClasses === 2 && spec.model.binary_output === "sigmoid" ? "binary-sigmoid" : "softmax";
}

function stopIfAsked(run: ImageClassifierRun): void {
  if (run.shouldStop()) throw new TrainingInterrupted("(none: stopped before training began)");
}

/** The whole recipe: list, split, decode, build, train (or resume), evaluate on test, export. */
export async function runImageClassifier(run: ImageClassifierRun): Promise<ImageClassifierResult> {
  const { spec, reporter } = run;
  await mkdir(run.artifactsDir, { recursive: true });
  const listing = await listDataset(run.datasetDir, spec.data.layout, spec.data.csv_files);
  const multiLabel = spec.task === "multi-label" || (spec.task === "auto" && listing.multiLabel);
  const metricLearning = spec.task === "metric-learning";
  if (!multiLabel && listing.multiLabel) {
    throw new Error(`task is ${spec.task} but the dataset gives some images several labels`);
  }
  const { classNames } = listing;
  const split = splitDataset(listing, {
    seed: spec.seed,
    valFraction: spec.data.val_fraction,
    testFraction: spec.data.test_fraction,
    maxImagesPerClass: spec.data.max_images_per_class,
  });
  reporter.log(
    `dataset: ${classNames.length} classes (${multiLabel ? "multi-label" : "single-label"}), ` +
      `${split.train.length} train / ${split.val.length} val / ${split.test.length} test images`,
  );
  stopIfAsked(run);

  const size = spec.model.input_size;
  const decoded = {
    train: await decodeExamples(split.train, size),
    val: await decodeExamples(split.val, size),
    test: await decodeExamples(split.test, size),
  };
  const skippedImages = [...decoded.train.skipped, ...decoded.val.skipped, ...decoded.test.skipped];
  for (const skipped of skippedImages.slice(0, MAX_SKIPPED_LOGGED)) {
    reporter.log(`warning: skipped undecodable image ${skipped.file}: ${skipped.reason}`);
  }
  if (skippedImages.length > MAX_SKIPPED_LOGGED) {
    reporter.log(`warning: ${skippedImages.length - MAX_SKIPPED_LOGGED} more undecodable images skipped`);
  }
  const train = decoded.train.set;
  const val = decoded.val.set;
  // Without a test split, the final evaluation falls back to the validation split (and says so).
  const test: ExampleSet = decoded.test.set.images.length > 0 ? decoded.test.set : val;
  if (train.images.length === 0 || val.images.length === 0) {
    throw new Error(
      `not enough decodable images: ${train.images.length} train, ${val.images.length} validation ` +
        "(raise the dataset size or val_fraction)",
    );
  }
  stopIfAsked(run);

  const outputKind = chooseOutputKind(spec, multiLabel, classNames.length);
  const backbone = await loadBackbone(spec.model.backbone, size, spec.seed, spec.model.feature_layer);
  const headOptions = {
    hiddenUnits: spec.model.head_units,
    dropout: spec.model.dropout,
    numClasses: classNames.length,
    seed: spec.seed,
  };
  const classifier = spec.model.head
    ? buildEmbeddingModel(backbone, { ...headOptions, head: spec.model.head })
    : buildClassifier(backbone, { ...headOptions, outputKind });
  const metric = metricLearning
    ? await prepareMetricLearning(spec, run.verificationDir, classNames, reporter)
    : null;
  reporter.log(
    `model: ${backbone.name} at ${size}px, ${backbone.layers.length} backbone layers, ` +
      `${backbone.featureDim}-d features, ` +
      (spec.model.head
        ? `${spec.model.head.kind} head, ${spec.model.head.embedding_dim}-d embedding`
        : `${outputKind} output`) +
      `, backend ${run.backendName}`,
  );

  let distillation: DistillationTargets | undefined;
  if (spec.distillation) {
    const skippedTrain = new Set(decoded.train.skipped.map((s) => s.file));
    distillation = await prepareDistillation(
      spec.distillation,
      run.teacherDir,
      split.train.filter((entry) => !skippedTrain.has(entry.file)),
      classNames,
      outputKind,
      spec.batch_size,
    );
    reporter.log(
      `distillation: teacher ${spec.distillation.teacher} at ${distillation.teacherInputSize}px, alpha ` +
        `${distillation.alpha}, temperature ${distillation.temperature}; its outputs cached for ${train.images.length} images`,
    );
  }
  stopIfAsked(run);

  const resumeFile = await findResumeCheckpoint(run.resumeDir);
  const resume = resumeFile ? await readCheckpoint(resumeFile) : undefined;
  // Read now: training carries on in the checkpoint's state object.
  const resumedFromEpoch = resume?.state.globalEpoch ?? null;
  if (resume && resume.state.classNames.join("\n") !== classNames.join("\n")) {
    throw new Error(`${resumeFile}: the checkpoint's classes differ from the dataset's`);
  }
  if (resume) reporter.log(`resuming from ${resumeFile} at epoch ${resume.state.globalEpoch}`);

  const state = await trainPhases({
    spec,
    classifier,
    classNames,
    multiLabel,
    train,
    val,
    classWeights: resolveClassWeights(spec.class_weights, classNames, train.labels),
    reporter,
    artifactsDir: run.artifactsDir,
    shouldStop: run.shouldStop,
    resume,
    epochMetrics: metric?.verification ? () => metric.epochMetrics(classifier) : undefined,
    distillation,
  });
  distillation?.logits.dispose();
  for (const group of Object.values(resume?.tensors ?? {})) for (const t of group) t.tensor.dispose();

  const thresholdChoice = multiLabel
    ? chooseThresholds(
        spec.threshold_search,
        predictSet(classifier, val, spec.batch_size),
        val.labels,
        classNames.length,
      )
    : undefined;
  const thresholds = thresholdChoice?.thresholds;
  // Metric learning: identity scores streamed (no per-class table or confusion matrix over identities).
  const evaluation = metric
    ? { metrics: identityMetrics(classifier, test, spec.batch_size, classNames.length, "test") }
    : evaluateTestSplit(
        multiLabel,
        predictSet(classifier, test, spec.batch_size),
        test.labels,
        classNames,
        thresholds ?? [0.5],
      );

  const metricSummary = metric ? await metric.finish(classifier, run.artifactsDir, reporter) : {};
  const modelDir = metric
    ? path.join(run.artifactsDir, MODEL_DIR)
    : await exportClassifier(
        classifier,
        {
          format: "labtrack-image-classifier/1",
          input_size: size,
          preprocessing: { resize: "stretch", channels: "RGB", scale: 1 / 255, offset: 0 },
          output: outputKind,
          class_names: classNames,
          multi_label: multiLabel,
          thresholds,
          backbone: backbone.name,
        },
        run.artifactsDir,
        reporter,
      );
  const bestEpoch = state.overallBest.bestEpoch;
  const phases = phaseThroughput(spec, state.history);
  const summary: Record<string, JsonValue> = {
    backend: run.backendName,
    class_names: classNames,
    multi_label: multiLabel,
    split_sizes: { train: train.images.length, val: val.images.length, test: decoded.test.set.images.length },
    test_split: test === val ? "validation (no test images)" : "test",
    ...(asJson(evaluation.metrics) as Record<string, JsonValue>),
    ...("perClass" in evaluation
      ? { per_class: asJson(evaluation.perClass), confusion_matrix: asJson(evaluation.confusionMatrix) }
      : {}),
    best_epoch: bestEpoch,
    best_value: state.overallBest.best,
    monitor: spec.early_stopping.monitor,
    epochs_run: state.globalEpoch,
    training_time_s: state.trainingSeconds,
    images_per_s: overallImagesPerSecond(phases),
    phases: asJson(phases),
    images_skipped: skippedImages.length,
    ...(distillation
      ? {
          distillation: {
            teacher: distillation.teacher,
            teacher_input_size: distillation.teacherInputSize,
            alpha: distillation.alpha,
            temperature: distillation.temperature,
          },
        }
      : {}),
    ...(thresholdChoice
      ? { thresholds: thresholdChoice.thresholds, threshold_kind: thresholdChoice.kind }
      : {}),
    ...metricSummary,
  };
  if ("confusionMatrix" in evaluation) {
    await writeJsonArtifact(run.artifactsDir, "confusion_matrix.json", evaluation.confusionMatrix, reporter);
  }
  await writeJsonArtifact(run.artifactsDir, "metrics.json", { summary, history: state.history }, reporter);
  reporter.results(summary);
  classifier.exportModel.dispose();
  tf.disposeVariables();
  return {
    classNames,
    multiLabel,
    splitSizes: { train: split.train.length, val: split.val.length, test: split.test.length },
    skippedImages,
    testMetrics: evaluation.metrics,
    thresholds,
    bestEpoch,
    epochsRun: state.globalEpoch,
    resumedFromEpoch,
    modelDir,
  };
}
