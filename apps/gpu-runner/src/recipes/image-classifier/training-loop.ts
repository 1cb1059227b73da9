import path from "node:path";
import {
  createEarlyStopping,
  createReduceLrOnPlateau,
  type EarlyStopping,
  type ReduceLrOnPlateau,
} from "@labtrack/core";
import type { ImageClassifierSpec, TrainingPhase } from "@labtrack/schemas";
import * as tf from "@tensorflow/tfjs";
import {
  type CheckpointContents,
  type NamedTensor,
  type TrainingState,
  writeCheckpoint,
} from "./checkpoint.ts";
import {
  allWeights,
  backboneFeatures,
  type Classifier,
  headLogits,
  probabilitiesFromLogits,
  trainableVariables,
} from "./classifier-model.ts";
import { distillationLoss } from "./distillation-loss.ts";
import type { DistillationTargets } from "./distillation-teacher.ts";
import { augmentedImageBatch, batchesOf, type ExampleSet, imageBatch } from "./example-set.ts";
import { computeFeatures, computeViewFeatures, featureCacheMode, viewForEpoch } from "./feature-cache.ts";
import { lossWeights, targetMatrix, weightedLoss } from "./losses.ts";
import { epochCheckpointPath } from "./metric-learning/epoch-checkpoint-name.ts";
import { identityMetrics } from "./metric-learning/identity-metrics.ts";
import { applyMargin } from "./metric-learning/margin-head.ts";
import { createOptimizer, type PhaseOptimizers, setLearningRate } from "./optimizers.ts";
import type { RunReporter } from "./run-reporter.ts";
import { createRandom, deriveSeed, shuffled } from "./seeded-random.ts";
import { batchCorrect, expandProbabilities, validationMetrics } from "./split-metrics.ts";

export interface TrainingInputs {
  spec: ImageClassifierSpec;
  classifier: Classifier;
  classNames: string[];
  multiLabel: boolean;
  train: ExampleSet;
  val: ExampleSet;
  classWeights: number[];
  reporter: RunReporter;
  artifactsDir: string;
  /** Polled at every batch boundary; true asks the loop to checkpoint and stop. */
  shouldStop: () => boolean;
  resume?: CheckpointContents;
  /** More metrics for each epoch, computed after validation (metric learning: verification pairs). */
  epochMetrics?: () => Record<string, number>;
  /** Teacher-student distillation: the teacher's cached logits, one row per training image. */
  distillation?: DistillationTargets;
}

/** Thrown after the loop saved a checkpoint because it was asked to stop. */
export class TrainingInterrupted extends Error {
  constructor(readonly checkpointPath: string) {
    super(`training interrupted; checkpoint saved to ${checkpointPath}`);
    this.name = "TrainingInterrupted";
  }
}

export const LAST_CHECKPOINT = "checkpoints/last.ckpt";
export const BEST_CHECKPOINT = "checkpoints/best.ckpt";

const yieldToEventLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

/** Probabilities for a set, from cached features when given, else through the backbone. */
export function predictSet(
  classifier: Classifier,
  set: ExampleSet,
  batchSize: number,
  features?: tf.Tensor2D,
): number[][] {
  const all = set.images.map((_, i) => i);
  const rows: number[][] = [];
  for (const batch of batchesOf(all, batchSize)) {
    const probabilities = tf.tidy(() => {
      const batchFeatures = features
        ? tf.gather(features, batch)
        : backboneFeatures(classifier, imageBatch(set, batch));
      return probabilitiesFromLogits(
        classifier.outputKind,
        headLogits(classifier, batchFeatures as tf.Tensor2D),
      );
    });
    rows.push(...(probabilities.arraySync() as number[][]));
    probabilities.dispose();
  }
  return expandProbabilities(classifier.outputKind, rows);
}

function snapshotWeights(classifier: Classifier): tf.Tensor[] {
  return allWeights(classifier).map((w) => tf.clone(w.read()));
}

function restoreWeights(classifier: Classifier, snapshot: tf.Tensor[]): void {
  allWeights(classifier).forEach((w, i) => {
    const value = snapshot[i];
    if (value) w.write(value);
  });
}

function createCallbacks(spec: ImageClassifierSpec) {
  const es = spec.early_stopping;
  const rl = spec.reduce_lr_on_plateau;
  const earlyStopping: EarlyStopping | null = es.enabled
    ? createEarlyStopping({ monitor: es.monitor, patience: es.patience, minDelta: es.min_delta })
    : null;
  const reduceLr: ReduceLrOnPlateau | null = rl.enabled
    ? createReduceLrOnPlateau({
        monitor: rl.monitor,
        factor: rl.factor,
        patience: rl.patience,
        minLr: rl.min_lr,
      })
    : null;
  return { earlyStopping, reduceLr };
}

interface PhaseSetup {
  phase: TrainingPhase;
  headVars: tf.Variable[];
  backboneVars: tf.Variable[];
  optimizers: PhaseOptimizers;
}

function setUpPhase(classifier: Classifier, phase: TrainingPhase, learningRate: number): PhaseSetup {
  const { head, backbone } = trainableVariables(classifier, phase.trainable);
  // Adam keeps its moments by position: a new trainable set needs new optimizers.
  const headOptimizer = createOptimizer(phase.optimizer, learningRate);
  const backboneOptimizer =
    backbone.length > 0 && phase.backbone_lr_multiplier !== 1
      ? createOptimizer(phase.optimizer, learningRate * phase.backbone_lr_multiplier)
      : null;
  return {
    phase,
    headVars: head,
    backboneVars: backbone,
    optimizers: { head: headOptimizer, backbone: backboneOptimizer },
  };
}

async function optimizerTensors(optimizers: PhaseOptimizers): Promise<Record<string, NamedTensor[]>> {
  const out: Record<string, NamedTensor[]> = { "optimizer/head": await optimizers.head.getWeights() };
  if (optimizers.backbone) out["optimizer/backbone"] = await optimizers.backbone.getWeights();
  return out;
}

/** Runs the phases from where `resume` left off (or the start); returns the final training state. */
export async function trainPhases(inputs: TrainingInputs): Promise<TrainingState> {
  const { spec, classifier, reporter } = inputs;
  const numClasses = inputs.classNames.length;
  const monitor = spec.early_stopping.monitor;
  const overallBest = createEarlyStopping({ monitor, patience: Number.MAX_SAFE_INTEGER });
  const state: TrainingState = inputs.resume?.state ?? {
    phaseIndex: 0,
    epochInPhase: 0,
    globalEpoch: 0,
    learningRate: spec.phases[0]?.learning_rate ?? 1e-3,
    earlyStopping: null,
    reduceLr: null,
    overallBest: overallBest.state(),
    history: [],
    trainingSeconds: 0,
    classNames: inputs.classNames,
  };
  overallBest.restore(state.overallBest);
  if (inputs.resume) restoreWeights(classifier, inputs.resume.tensors.model?.map((t) => t.tensor) ?? []);

  const trainTargets = targetMatrix(classifier.outputKind, inputs.train.labels, numClasses);
  const trainWeights = lossWeights(classifier.outputKind, inputs.train.labels, inputs.classWeights);
  const augmentation = spec.augmentation;
  const augmentationSettings = {
    horizontalFlip: augmentation.horizontal_flip,
    verticalFlip: augmentation.vertical_flip,
    rotationDegrees: augmentation.rotation_degrees,
    zoom: augmentation.zoom,
    brightness: augmentation.brightness,
    contrast: augmentation.contrast,
  };
  // Training features: one tensor per cached view. Validation features: unaugmented, kept while the backbone is frozen.
  let cachedFeatures: { train?: tf.Tensor2D[]; val?: tf.Tensor2D } = {};
  const dropTrainFeatures = () => {
    for (const view of cachedFeatures.train ?? []) view.dispose();
    cachedFeatures.train = undefined;
  };
  const dropCachedFeatures = () => {
    dropTrainFeatures();
    cachedFeatures.val?.dispose();
    cachedFeatures = {};
  };

  const checkpointContents = async (setup: PhaseSetup): Promise<CheckpointContents> => ({
    state: structuredClone(state),
    tensors: {
      model: allWeights(classifier).map((w) => ({ name: w.name, tensor: w.read() })),
      ...(await optimizerTensors(setup.optimizers)),
    },
  });
  const saveCheckpoint = async (relative: string, setup: PhaseSetup) => {
    await writeCheckpoint(path.join(inputs.artifactsDir, relative), await checkpointContents(setup));
    reporter.artifact(relative, "checkpoint");
  };

  while (state.phaseIndex < spec.phases.length) {
    const phase = spec.phases[state.phaseIndex] as TrainingPhase;
    const resumingPhase = state.epochInPhase > 0;
    if (!resumingPhase) state.learningRate = phase.learning_rate;
    const setup = setUpPhase(classifier, phase, state.learningRate);
    if (resumingPhase && inputs.resume) {
      const saved = inputs.resume.tensors;
      if (saved["optimizer/head"]) await setup.optimizers.head.setWeights(saved["optimizer/head"]);
      if (saved["optimizer/backbone"])
        await setup.optimizers.backbone?.setWeights(saved["optimizer/backbone"]);
    }
    const { earlyStopping, reduceLr } = createCallbacks(spec);
    if (resumingPhase && state.earlyStopping) earlyStopping?.restore(state.earlyStopping);
    if (resumingPhase && state.reduceLr) reduceLr?.restore(state.reduceLr);
    const trainsBackbone = setup.backboneVars.length > 0;
    const cacheMode = featureCacheMode(spec, trainsBackbone);
    const cacheVal = !trainsBackbone && spec.feature_cache;
    dropTrainFeatures();
    if (!cacheVal) dropCachedFeatures();
    const useFeatureCache = cacheMode !== "none";
    reporter.log(
      `phase ${state.phaseIndex + 1}/${spec.phases.length} (${phase.name ?? "unnamed"}): ${phase.epochs} epochs, ` +
        `lr ${state.learningRate}, ${setup.headVars.length + setup.backboneVars.length} trainable tensors` +
        (cacheMode === "plain" ? ", on cached backbone features" : "") +
        (cacheMode === "views"
          ? `, on cached backbone features of ${augmentation.fixed_views} augmented views`
          : ""),
    );
    let phaseBest: tf.Tensor[] | null = null;

    while (state.epochInPhase < phase.epochs) {
      const epochStart = performance.now();
      const needsFeatures = (useFeatureCache && !cachedFeatures.train) || (cacheVal && !cachedFeatures.val);
      if (useFeatureCache && !cachedFeatures.train) {
        cachedFeatures.train =
          cacheMode === "views"
            ? await computeViewFeatures(classifier, inputs.train, {
                views: augmentation.fixed_views,
                settings: augmentationSettings,
                seed: spec.seed,
                phaseStartEpoch: state.globalEpoch - state.epochInPhase,
                batchSize: spec.batch_size,
              })
            : [computeFeatures(classifier, inputs.train, spec.batch_size)];
      }
      if (cacheVal && !cachedFeatures.val) {
        cachedFeatures.val = computeFeatures(classifier, inputs.val, spec.batch_size);
      }
      const featureSeconds = needsFeatures ? (performance.now() - epochStart) / 1000 : 0;
      const trainFeatures =
        cachedFeatures.train?.[viewForEpoch(state.epochInPhase, cachedFeatures.train.length)];
      const order = shuffled(
        inputs.train.images.map((_, i) => i),
        createRandom(deriveSeed(spec.seed, "shuffle", state.globalEpoch)),
      );
      let lossSum = 0;
      let correct = 0;
      let counted = 0;
      for (const [batchIndex, batch] of batchesOf(order, spec.batch_size).entries()) {
        if (inputs.shouldStop()) {
          await saveCheckpoint(LAST_CHECKPOINT, setup);
          dropCachedFeatures();
          throw new TrainingInterrupted(LAST_CHECKPOINT);
        }
        let images: tf.Tensor4D | null = null;
        if (!useFeatureCache) {
          images = augmentation.enabled
            ? await augmentedImageBatch(
                inputs.train,
                batch,
                augmentationSettings,
                spec.seed,
                state.globalEpoch,
              )
            : imageBatch(inputs.train, batch);
        }
        const step = tf.tidy(() => {
          const features = trainFeatures
            ? (tf.gather(trainFeatures, batch) as tf.Tensor2D)
            : trainsBackbone
              ? null
              : backboneFeatures(classifier, images as tf.Tensor4D);
          const targets = tf.tensor2d(batch.map((i) => trainTargets[i] as number[]));
          const weights = tf.tensor2d(batch.map((i) => trainWeights[i] as number[]));
          const dropoutSeed = deriveSeed(spec.seed, "dropout", state.globalEpoch, batchIndex);
          let probabilities: tf.Tensor2D | undefined;
          const { value, grads } = tf.variableGrads(() => {
            const inputFeatures = features ?? backboneFeatures(classifier, images as tf.Tensor4D);
            const logits = headLogits(classifier, inputFeatures, dropoutSeed);
            probabilities = tf.keep(probabilitiesFromLogits(classifier.outputKind, logits));
            const trainingLogits = classifier.margin
              ? applyMargin(classifier.margin, logits, targets)
              : logits;
            const { distillation } = inputs;
            if (!distillation) return weightedLoss(classifier.outputKind, trainingLogits, targets, weights);
            const teacher = tf.gather(distillation.logits, batch) as tf.Tensor2D;
            return distillationLoss(
              classifier.outputKind,
              trainingLogits,
              targets,
              weights,
              teacher,
              distillation,
            );
          }, [...setup.headVars, ...setup.backboneVars]);
          applyGradients(setup, grads);
          return { loss: value, probabilities: probabilities as tf.Tensor2D };
        });
        images?.dispose();
        lossSum += (await step.loss.data())[0] ?? 0;
        const batchProbabilities = expandProbabilities(
          classifier.outputKind,
          (await step.probabilities.array()) as number[][],
        );
        step.loss.dispose();
        step.probabilities.dispose();
        const batchScore = batchCorrect(
          inputs.multiLabel,
          batchProbabilities,
          batch.map((i) => inputs.train.labels[i] as number[]),
        );
        correct += batchScore.correct;
        counted += batchScore.count;
        await yieldToEventLoop();
      }
      const batches = Math.ceil(order.length / spec.batch_size);
      const validation = classifier.margin
        ? identityMetrics(classifier, inputs.val, spec.batch_size, numClasses, "val", cachedFeatures.val)
        : validationMetrics(
            inputs.multiLabel,
            predictSet(classifier, inputs.val, spec.batch_size, cachedFeatures.val),
            inputs.val.labels,
            inputs.classNames,
          );
      const seconds = (performance.now() - epochStart) / 1000;
      const metrics: Record<string, number> = {
        "train/loss": lossSum / Math.max(1, batches),
        "train/accuracy": correct / Math.max(1, counted),
        ...validation,
        lr: state.learningRate,
        epoch_time_s: seconds,
        images_per_s: order.length / seconds,
        feature_extraction_s: featureSeconds,
        ...inputs.epochMetrics?.(),
      };
      reporter.metrics(state.globalEpoch, state.globalEpoch, metrics);
      state.history.push({ epoch: state.globalEpoch, phase: state.phaseIndex, metrics });
      state.trainingSeconds += seconds;

      const improvedOverall = overallBest.update(state.globalEpoch, metrics).improved;
      const decision = earlyStopping?.update(state.epochInPhase, metrics) ?? { improved: false, stop: false };
      if (decision.improved && spec.early_stopping.restore_best) {
        for (const t of phaseBest ?? []) t.dispose();
        phaseBest = snapshotWeights(classifier);
      }
      if (reduceLr) {
        state.learningRate = reduceLr.update(state.epochInPhase, metrics, state.learningRate);
        setLearningRate(setup.optimizers, state.learningRate, phase.backbone_lr_multiplier);
      }
      state.epochInPhase += 1;
      state.globalEpoch += 1;
      state.earlyStopping = earlyStopping?.state() ?? null;
      state.reduceLr = reduceLr?.state() ?? null;
      state.overallBest = overallBest.state();
      const phaseDone = decision.stop || state.epochInPhase >= phase.epochs;
      if (phaseDone) {
        if (decision.stop) reporter.log(`early stopping after epoch ${state.globalEpoch - 1}`);
        if (phaseBest) restoreWeights(classifier, phaseBest);
        state.phaseIndex += 1;
        state.epochInPhase = 0;
        state.earlyStopping = null;
        state.reduceLr = null;
      }
      if (spec.checkpoint.every === "epoch") {
        const keepAll = spec.checkpoint.keep_all ?? spec.task === "metric-learning";
        const name = keepAll
          ? epochCheckpointPath(state.globalEpoch, metrics["val/accuracy"])
          : LAST_CHECKPOINT;
        await saveCheckpoint(name, setup);
      }
      if (spec.checkpoint.every === "best" && improvedOverall) await saveCheckpoint(BEST_CHECKPOINT, setup);
      if (phaseDone) break;
    }
    for (const t of phaseBest ?? []) t.dispose();
    setup.optimizers.head.dispose();
    setup.optimizers.backbone?.dispose();
  }
  dropCachedFeatures();
  return state;
}

function applyGradients(setup: PhaseSetup, grads: tf.NamedTensorMap): void {
  const { backbone } = setup.optimizers;
  if (!backbone) {
    setup.optimizers.head.applyGradients(grads);
    return;
  }
  const backboneNames = new Set(setup.backboneVars.map((v) => v.name));
  const headGrads: tf.NamedTensorMap = {};
  const backboneGrads: tf.NamedTensorMap = {};
  for (const [name, grad] of Object.entries(grads)) {
    if (backboneNames.has(name)) backboneGrads[name] = grad;
    else headGrads[name] = grad;
  }
  setup.optimizers.head.applyGradients(headGrads);
  backbone.applyGradients(backboneGrads);
}
