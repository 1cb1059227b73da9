import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { imageClassifierSpec } from "@labtrack/schemas";
import * as tf from "@tensorflow/tfjs";
import { type BackendChoice, backendChoices, selectBestBackend } from "../src/backends/select-backend.ts";
import { loadBackbone } from "../src/recipes/image-classifier/backbones.ts";
import {
  backboneFeatures,
  buildClassifier,
  type Classifier,
  headLogits,
  trainableVariables,
} from "../src/recipes/image-classifier/classifier-model.ts";
import { batchesOf, decodeExamples, imageBatch } from "../src/recipes/image-classifier/example-set.ts";
import { weightedLoss } from "../src/recipes/image-classifier/losses.ts";
import { createMemoryReporter } from "../src/recipes/image-classifier/run-reporter.ts";
import { predictSet, trainPhases } from "../src/recipes/image-classifier/training-loop.ts";
import { writeClassFolderDataset } from "../test/synthetic-shapes.ts";

/**
 * Training throughput per backend (MobileNetV2 at 224x224 head-only and fine-tuning, scratch_cnn),
 * and the recipe's overhead against a bare tfjs loop doing the same training. Kept under ~3 minutes:
 * few steps, fewer still on the slow plain cpu backend.
 */

const print = (line: string) => process.stdout.write(`${line}\n`);
type Trainable = "head" | "all" | { last_n_layers: number };

function trainStep(classifier: Classifier, images: tf.Tensor4D, targets: tf.Tensor2D, trainable: Trainable) {
  const { head, backbone } = trainableVariables(classifier, trainable);
  const optimizer: tf.Optimizer = tf.train.adam(1e-4);
  const weights = tf.ones([images.shape[0], 1]) as tf.Tensor2D;
  const step = () =>
    tf.tidy(() => {
      const frozenFeatures = backbone.length === 0 ? backboneFeatures(classifier, images) : null;
      const { value, grads } = tf.variableGrads(() => {
        const features = frozenFeatures ?? backboneFeatures(classifier, images);
        return weightedLoss("softmax", headLogits(classifier, features, 1), targets, weights);
      }, [...head, ...backbone]);
      optimizer.applyGradients(grads);
      return value;
    });
  const dispose = () => {
    optimizer.dispose();
    weights.dispose();
  };
  return { step, dispose };
}

async function imagesPerSecond(
  backboneName: string,
  size: number,
  trainable: Trainable,
  batchSize: number,
  steps: number,
): Promise<number> {
  const backbone = await loadBackbone(backboneName, size, 1);
  const classifier = buildClassifier(backbone, {
    hiddenUnits: [],
    dropout: 0.2,
    outputKind: "softmax",
    numClasses: 5,
    seed: 1,
  });
  const images = tf.randomUniform([batchSize, size, size, 3]) as tf.Tensor4D;
  const targets = tf.oneHot(
    tf.tensor1d(
      Array.from({ length: batchSize }, (_, i) => i % 5),
      "int32",
    ),
    5,
  ) as tf.Tensor2D;
  const { step, dispose } = trainStep(classifier, images, targets, trainable);
  const warmUp = step(); // kernels compiled, optimizer slots created
  await warmUp.data();
  warmUp.dispose();
  const start = performance.now();
  for (let i = 0; i < steps; i++) {
    const loss = step();
    await loss.data();
    loss.dispose();
  }
  const rate = (batchSize * steps) / ((performance.now() - start) / 1000);
  dispose();
  images.dispose();
  targets.dispose();
  classifier.exportModel.dispose();
  return rate;
}

async function throughputTable(choice: BackendChoice): Promise<void> {
  const slow = choice === "cpu";
  const cases: [string, string, number, Trainable, number, number][] = [
    [
      "mobilenet_v2 224 head-only (backbone forward each step)",
      "mobilenet_v2",
      224,
      "head",
      slow ? 2 : 16,
      slow ? 1 : 2,
    ],
    [
      "mobilenet_v2 224 fine-tune last 50 layers",
      "mobilenet_v2",
      224,
      { last_n_layers: 50 },
      slow ? 2 : 8,
      slow ? 1 : 2,
    ],
    ["scratch_cnn 224", "scratch_cnn", 224, "all", slow ? 2 : 8, 1],
  ];
  for (const [label, backbone, size, trainable, batch, steps] of cases) {
    const rate = await imagesPerSecond(backbone, size, trainable, batch, steps);
    print(
      `  ${choice.padEnd(13)} ${label.padEnd(58)} ${rate.toFixed(1).padStart(8)} images/s (batch ${batch})`,
    );
  }
}

/** The same epochs through trainPhases and through a bare variableGrads loop; returns seconds each. */
async function recipeOverhead(): Promise<void> {
  const dir = await mkdtemp(path.join(os.tmpdir(), "labtrack-bench-"));
  try {
    await writeClassFolderDataset(path.join(dir, "data"), ["circle", "square", "triangle"], 64, { size: 64 });
    const spec = imageClassifierSpec.parse({
      kind: "image-classifier",
      data: { path: path.join(dir, "data") },
      model: { backbone: "scratch_cnn", input_size: 64, dropout: 0 },
      phases: [{ epochs: 2, learning_rate: 1e-3, trainable: "all" }],
      batch_size: 16,
      augmentation: { enabled: false },
      early_stopping: { enabled: false },
    });
    const files = ["circle", "square", "triangle"].flatMap((c, label) =>
      Array.from({ length: 64 }, (_, i) => ({
        file: path.join(dir, "data", c, `${c}-${i}.png`),
        labels: [label],
      })),
    );
    const { set } = await decodeExamples(files, 64);
    const train = { images: set.images.slice(0, 160), labels: set.labels.slice(0, 160) };
    const val = { images: set.images.slice(160), labels: set.labels.slice(160) };
    const build = async () =>
      buildClassifier(await loadBackbone("scratch_cnn", 64, 1), {
        hiddenUnits: [],
        dropout: 0,
        outputKind: "softmax",
        numClasses: 3,
        seed: 1,
      });

    const bareClassifier = await build();
    const { head, backbone } = trainableVariables(bareClassifier, "all");
    const optimizer: tf.Optimizer = tf.train.adam(1e-3);
    const targets = tf.oneHot(
      tf.tensor1d(
        train.labels.map((l) => l[0] ?? 0),
        "int32",
      ),
      3,
    ) as tf.Tensor2D;
    const bareStart = performance.now();
    for (let epoch = 0; epoch < 2; epoch++) {
      for (const batch of batchesOf(
        train.images.map((_, i) => i),
        16,
      )) {
        const loss = tf.tidy(() => {
          const x = imageBatch(train, batch);
          const y = tf.gather(targets, batch) as tf.Tensor2D;
          const { value, grads } = tf.variableGrads(
            () =>
              weightedLoss(
                "softmax",
                headLogits(bareClassifier, backboneFeatures(bareClassifier, x)),
                y,
                tf.onesLike(y).slice([0, 0], [-1, 1]),
              ),
            [...head, ...backbone],
          );
          optimizer.applyGradients(grads);
          return value;
        });
        await loss.data();
        loss.dispose();
      }
      predictSet(bareClassifier, val, 16);
    }
    const bareSeconds = (performance.now() - bareStart) / 1000;
    bareClassifier.exportModel.dispose();

    const classifier = await build();
    const recipeStart = performance.now();
    await trainPhases({
      spec,
      classifier,
      classNames: ["circle", "square", "triangle"],
      multiLabel: false,
      train,
      val,
      classWeights: [1, 1, 1],
      reporter: createMemoryReporter().reporter,
      artifactsDir: path.join(dir, "artifacts"),
      shouldStop: () => false,
    });
    const recipeSeconds = (performance.now() - recipeStart) / 1000;
    const overhead = ((recipeSeconds - bareSeconds) / bareSeconds) * 100;
    print(
      `  recipe ${recipeSeconds.toFixed(2)} s vs bare tfjs loop ${bareSeconds.toFixed(2)} s for 2 epochs of 160 images ` +
        `(scratch_cnn 64px, with validation and a checkpoint per epoch): overhead ${overhead.toFixed(1)}% (target < 3%)`,
    );
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

const present: BackendChoice[] = [];
for (const choice of backendChoices) {
  try {
    await selectBestBackend([choice]);
    present.push(choice);
  } catch (error) {
    print(
      `backend ${choice}: not available (${error instanceof Error ? error.message.split("\n")[0] : error})`,
    );
  }
}
print("training throughput (random images, no decoding):");
for (const choice of present) {
  await selectBestBackend([choice]);
  await throughputTable(choice);
}
const best = present[0];
if (best) {
  await selectBestBackend([best]);
  print(`recipe overhead on ${best}:`);
  await recipeOverhead();
}
