import { existsSync } from "node:fs";
import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { loadEmbeddingModel } from "@labtrack/inference";
import { type ImageClassifierSpecInput, imageClassifierSpec } from "@labtrack/schemas";
import sharp from "sharp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { identityName, lfwPairsText, writeIdentityFolders } from "../../../../test/synthetic-identities.ts";
import { selectBestBackend } from "../../../backends/select-backend.ts";
import { readCheckpoint } from "../checkpoint.ts";
import { runImageClassifier } from "../run-image-classifier.ts";
import { createMemoryReporter } from "../run-reporter.ts";
import { TrainingInterrupted } from "../training-loop.ts";

let work = "";
const TRAIN = Array.from({ length: 6 }, (_, i) => identityName("train", i));
const HELD_OUT = Array.from({ length: 6 }, (_, i) => identityName("heldout", i));

async function train(
  name: string,
  input: Partial<ImageClassifierSpecInput>,
  control: { resumeDir?: string; stopAfterEpochs?: number } = {},
) {
  const selected = await selectBestBackend(["wasm"]);
  const spec = imageClassifierSpec.parse({
    kind: "image-classifier",
    task: "metric-learning",
    data: { path: path.join(work, "train"), val_fraction: 0.25, test_fraction: 0.125 },
    model: {
      backbone: "scratch_cnn",
      input_size: 32,
      head: { kind: "cosface", embedding_dim: 16, scale: 16 },
    },
    verification: { path: path.join(work, "verify") },
    phases: [{ epochs: 2, learning_rate: 3e-3, trainable: "all" }],
    batch_size: 16,
    augmentation: { enabled: false },
    early_stopping: { enabled: false },
    ...input,
  });
  const memory = createMemoryReporter();
  const artifactsDir = path.join(work, "artifacts", name);
  const result = await runImageClassifier({
    spec,
    datasetDir: spec.data.path,
    artifactsDir,
    resumeDir: control.resumeDir,
    reporter: memory.reporter,
    shouldStop: () => memory.epochs.length >= (control.stopAfterEpochs ?? Number.POSITIVE_INFINITY),
    backendName: selected.choice,
  });
  return { result, ...memory, artifactsDir };
}

beforeAll(async () => {
  work = await mkdtemp(path.join(os.tmpdir(), "labtrack-metric-learning-"));
  await writeIdentityFolders(path.join(work, "train"), TRAIN, 8);
  await writeIdentityFolders(path.join(work, "verify"), HELD_OUT, 4);
  await writeFile(path.join(work, "verify", "pairs.txt"), lfwPairsText(HELD_OUT, 4, 10, 3));
});

afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

describe("metric-learning recipe", () => {
  it("trains a CosFace embedding, verifies held-out pairs every epoch, names checkpoints as seed 004", async () => {
    const run = await train("cosface", {});
    expect(run.epochs).toHaveLength(2);
    for (const epoch of run.epochs) {
      for (const key of [
        "train/loss",
        "val/accuracy",
        "val/verification_accuracy",
        "val/verification_accuracy_std",
        "val/verification_threshold",
        "val/tar_at_far_1e-3",
        "val/verification_auc",
      ]) {
        expect(Number.isFinite(epoch.metrics[key]), key).toBe(true);
      }
    }
    const checkpoints = run.artifacts.filter((a) => a.kind === "checkpoint").map((a) => a.path);
    expect(checkpoints).toHaveLength(2);
    expect(checkpoints[0]).toMatch(/^checkpoints\/epoch_01_val_acc_\d\.\d\d\.ckpt$/);
    expect(checkpoints[1]).toMatch(/^checkpoints\/epoch_02_val_acc_\d\.\d\d\.ckpt$/);
    const valAccuracy = run.epochs[1]?.metrics["val/accuracy"] ?? Number.NaN;
    expect(checkpoints[1]).toBe(`checkpoints/epoch_02_val_acc_${valAccuracy.toFixed(2)}.ckpt`);
    for (const file of checkpoints) expect(existsSync(path.join(run.artifactsDir, file))).toBe(true);

    const summary = run.results.at(-1) as Record<string, unknown>;
    const verification = summary.verification as Record<string, number>;
    expect(verification).toMatchObject({
      pairs: 60,
      folds: 10,
      identities: 6,
      identities_seen_in_training: 0,
    });
    expect(verification.accuracy).toBeGreaterThanOrEqual(0);
    expect(verification.fold_accuracies).toHaveLength(10);
    expect(run.logs.some((l) => /verification: 60 pairs in 10 folds, 24 images of 6 people/.test(l))).toBe(
      true,
    );

    const plots = run.artifacts.filter((a) => a.kind === "plot").map((a) => a.path);
    expect(plots).toEqual(["figures/roc_curve.png", "figures/roc_curve.svg"]);
    const png = await sharp(path.join(run.artifactsDir, "figures/roc_curve.png")).metadata();
    expect(png).toMatchObject({ format: "png", width: 480, height: 420 });
    const roc = JSON.parse(await readFile(path.join(run.artifactsDir, "figures/roc_curve.json"), "utf8"));
    expect(roc.points[0]).toMatchObject({ far: 0, tar: 0 });
    expect(roc.points.at(-1)).toMatchObject({ far: 1, tar: 1 });

    // The exported model answers unit-length embeddings; its config keeps the chosen threshold.
    const model = await loadEmbeddingModel(run.result.modelDir);
    expect(model.config).toMatchObject({
      format: "labtrack-embedding-model/1",
      embedding_dim: 16,
      identities: 6,
      head: { kind: "cosface", margin: 0.35, scale: 16 },
      verification: { threshold: verification.threshold, accuracy: verification.accuracy, pairs: 60 },
    });
    const person = path.join(work, "verify", HELD_OUT[0] as string);
    const embedding = await model.embed(
      await readFile(path.join(person, (await readdir(person))[0] as string)),
    );
    expect(embedding).toHaveLength(16);
    expect(Math.hypot(...embedding)).toBeCloseTo(1, 4);
    model.dispose();
  }, 120_000);

  it("trains ArcFace with a head-only phase and keep_all off, writing last.ckpt", async () => {
    const run = await train("arcface", {
      model: { backbone: "scratch_cnn", input_size: 32, head: { kind: "arcface", embedding_dim: 8 } },
      phases: [{ epochs: 1, learning_rate: 1e-2, trainable: "head" }],
      checkpoint: { keep_all: false },
    });
    expect(run.artifacts.filter((a) => a.kind === "checkpoint").map((a) => a.path)).toEqual([
      "checkpoints/last.ckpt",
    ]);
    expect(run.epochs[0]?.metrics["train/loss"]).toBeGreaterThan(0);
    expect(run.results.at(-1)?.margin_head).toMatchObject({ kind: "arcface", margin: 0.5 });
  }, 120_000);

  it("resumes a stopped run from its checkpoint, the margin head's centres included", async () => {
    const spec = { phases: [{ epochs: 3, learning_rate: 3e-3, trainable: "all" as const }] };
    await expect(train("stopped", spec, { stopAfterEpochs: 1 })).rejects.toBeInstanceOf(TrainingInterrupted);
    const stoppedDir = path.join(work, "artifacts", "stopped");
    expect((await readdir(path.join(stoppedDir, "checkpoints"))).sort()).toEqual([
      expect.stringMatching(/^epoch_01_val_acc_/),
      "last.ckpt",
    ]);
    const resumed = await train("resumed", spec, { resumeDir: stoppedDir });
    expect(resumed.result.resumedFromEpoch).toBe(1);
    expect(resumed.epochs.map((e) => e.step)).toEqual([1, 2]);
    expect(resumed.artifacts.filter((a) => a.kind === "checkpoint").map((a) => a.path)).toEqual([
      expect.stringMatching(/^checkpoints\/epoch_02_val_acc_/),
      expect.stringMatching(/^checkpoints\/epoch_03_val_acc_/),
    ]);
    const checkpoint = await readCheckpoint(path.join(stoppedDir, "checkpoints", "last.ckpt"));
    expect(checkpoint.tensors.model?.at(-1)?.name).toMatch(/^margin_head_centres\/kernel/);
    expect(Number.isFinite(resumed.epochs[1]?.metrics["val/verification_accuracy"])).toBe(true);
  }, 120_000);

  it("fails naming the pairs file and line when an image is missing", async () => {
    await writeFile(
      path.join(work, "verify", "bad-pairs.txt"),
      "1\t1\nheldout_01\t1\t9\nheldout_01\t1\theldout_02\t1\n",
    );
    await expect(
      train("bad", { verification: { path: path.join(work, "verify"), pairs: "bad-pairs.txt" } }),
    ).rejects.toThrow(
      /verification\.pairs: .*bad-pairs\.txt: line 2: image heldout_01\/heldout_01_0009\.\{jpg/,
    );
  }, 60_000);
});
