import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { type ImageClassifierSpecInput, imageClassifierSpec } from "@labtrack/schemas";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { writeClassFolderDataset, writeMultiLabelDataset } from "../../../test/synthetic-shapes.ts";
import { selectBestBackend } from "../../backends/select-backend.ts";
import { runImageClassifier } from "./run-image-classifier.ts";
import { createMemoryReporter } from "./run-reporter.ts";

let workDir = "";
let teacherDir = "";

async function train(
  name: string,
  input: Omit<ImageClassifierSpecInput, "kind" | "data">,
  dataset = "shapes",
) {
  const spec = imageClassifierSpec.parse({
    kind: "image-classifier",
    data: { path: path.join(workDir, dataset), test_fraction: 0.2 },
    batch_size: 8,
    early_stopping: { enabled: false },
    augmentation: { enabled: false },
    ...input,
  });
  const memory = createMemoryReporter();
  const result = await runImageClassifier({
    spec,
    datasetDir: spec.data.path,
    artifactsDir: path.join(workDir, name),
    reporter: memory.reporter,
    shouldStop: () => false,
    backendName: "wasm",
  });
  return { result, ...memory };
}

const student = {
  model: { backbone: "scratch_cnn", input_size: 32 },
  phases: [{ epochs: 2, learning_rate: 3e-3, trainable: "all" as const }],
};
const losses = (run: Awaited<ReturnType<typeof train>>) =>
  run.epochs.map((e) => e.metrics["train/loss"] ?? 0);

beforeAll(async () => {
  await selectBestBackend(["wasm"]);
  workDir = await mkdtemp(path.join(os.tmpdir(), "labtrack-distillation-"));
  await writeClassFolderDataset(path.join(workDir, "shapes"), ["circle", "square", "triangle"], 10, {
    seed: 7,
  });
  await writeMultiLabelDataset(path.join(workDir, "multi-label"), 40, { seed: 3 });
  // The teacher: MobileNetV2 features at a larger input size than the student's.
  const teacher = await train("teacher", {
    model: { backbone: "mobilenet_v2", input_size: 64 },
    phases: [{ epochs: 4, learning_rate: 3e-3, trainable: "head" }],
  });
  teacherDir = teacher.result.modelDir;
}, 120_000);

afterAll(async () => {
  await rm(workDir, { recursive: true, force: true });
});

describe("teacher-student distillation", () => {
  it("with alpha = 1 trains exactly as without a teacher; with alpha < 1 the teacher changes the loss", async () => {
    const plain = await train("plain", student);
    const hardOnly = await train("alpha-1", {
      ...student,
      distillation: { teacher: `tfjs:${teacherDir}`, alpha: 1, temperature: 2 },
    });
    losses(hardOnly).forEach((loss, i) => {
      expect(loss).toBeCloseTo(losses(plain)[i] ?? Number.NaN, 5);
    });
    const distilled = await train("alpha-0.3", {
      ...student,
      distillation: { teacher: `tfjs:${teacherDir}`, alpha: 0.3, temperature: 4 },
    });
    expect(Math.abs((losses(distilled)[0] ?? 0) - (losses(plain)[0] ?? 0))).toBeGreaterThan(1e-3);
    for (const loss of losses(distilled)) expect(Number.isFinite(loss)).toBe(true);
    expect(distilled.results.at(-1)?.distillation).toEqual({
      teacher: `tfjs:${teacherDir}`,
      teacher_input_size: 64,
      alpha: 0.3,
      temperature: 4,
    });
    expect(distilled.logs.some((line) => line.includes("outputs cached for"))).toBe(true);
  }, 120_000);

  it("a teacher given as a run id must have been fetched by the runner", async () => {
    await expect(
      train("unfetched", {
        ...student,
        distillation: { teacher: "6f1c1a52-3f0e-4d61-9a8e-3b0a3c1d2e4f" },
      }),
    ).rejects.toThrow(
      "distillation.teacher: run 6f1c1a52-3f0e-4d61-9a8e-3b0a3c1d2e4f's model must be fetched",
    );
  });

  it("distils multi-label outputs as seed 002 does: sigmoid per label, then the threshold search", async () => {
    const teacher = await train(
      "multi-teacher",
      {
        model: { backbone: "mobilenet_v2", input_size: 64 },
        phases: [{ epochs: 3, learning_rate: 3e-3, trainable: "head" }],
      },
      "multi-label",
    );
    const distillation = { teacher: `tfjs:${teacher.result.modelDir}`, alpha: 0.7, temperature: 2 };
    const studentRun = await train("multi-student", { ...student, distillation }, "multi-label");
    expect(studentRun.result.multiLabel).toBe(true);
    for (const loss of losses(studentRun)) expect(Number.isFinite(loss)).toBe(true);
    expect(studentRun.result.thresholds?.length).toBeGreaterThan(0);
    expect(studentRun.results.at(-1)?.distillation).toMatchObject({ alpha: 0.7, temperature: 2 });
    // A single-label teacher cannot teach a multi-label student.
    await expect(
      train("mismatch", { ...student, distillation: { teacher: `tfjs:${teacherDir}` } }, "multi-label"),
    ).rejects.toThrow("distillation.teacher: the teacher is single-label (softmax), the student is not");
  }, 180_000);
});
