import { z } from "zod";
import { pgText } from "./pg-text.ts";

/**
 * `task: metric-learning` of the image-classifier recipe (seed 004): an embedding trained with a
 * margin loss over identity classes (one class folder per identity), verified on LFW-style pairs.
 */

const embeddingDim = z
  .int()
  .min(2)
  .max(4096)
  .default(512)
  .describe("Length of the L2-normalised embedding the model outputs.");
const scale = z
  .number()
  .positive()
  .max(256)
  .default(64)
  .describe("s: the cosines are multiplied by this before the softmax (64 in both papers).");

export const marginHead = z
  .discriminatedUnion("kind", [
    z.object({
      kind: z
        .literal("cosface")
        .describe("CosFace (large margin cosine loss): s × (cos θ − m) for the target."),
      embedding_dim: embeddingDim,
      margin: z.number().min(0).max(1).default(0.35).describe("m, subtracted from the target cosine."),
      scale,
    }),
    z.object({
      kind: z
        .literal("arcface")
        .describe("ArcFace (additive angular margin): s × cos(θ + m) for the target."),
      embedding_dim: embeddingDim,
      margin: z.number().min(0).max(1).default(0.5).describe("m, added to the target angle (radians)."),
      scale,
    }),
  ])
  .describe("Metric learning: the margin head that trains the embedding over the identity classes.");

export const verificationOptions = z
  .object({
    path: pgText()
      .min(1)
      .describe(
        "Folder of verification images, one sub-folder per person (`<name>/<name>_0001.jpg`, as LFW): a " +
          "local folder, `dataset:<name>[@version]` or `s3://<bucket>/<prefix>`.",
      ),
    pairs: pgText()
      .min(1)
      .default("pairs.txt")
      .describe(
        "Pairs file inside that folder in LFW's pairs.txt format: a header `<folds> <pairs per fold>`, then " +
          "`name n m` (same person) or `name1 n1 name2 n2` (different people).",
      ),
    far: z
      .number()
      .gt(0)
      .lt(1)
      .default(1e-3)
      .describe("False accept rate at which the true accept rate is reported."),
  })
  .describe("Metric learning: verification pairs scored after every epoch and at the end.");

export type MarginHead = z.output<typeof marginHead>;
export type VerificationOptions = z.output<typeof verificationOptions>;

interface MetricLearningFields {
  task: string;
  model: { head?: MarginHead };
  verification?: VerificationOptions;
  data: { layout: string };
}

/** `model.head` and `verification` belong to metric learning, which needs a head and class folders. */
export function checkMetricLearningFields(spec: MetricLearningFields, ctx: z.RefinementCtx): void {
  const metric = spec.task === "metric-learning";
  if (metric && !spec.model.head) {
    ctx.addIssue({
      code: "custom",
      path: ["model", "head"],
      message: "task metric-learning needs a margin head, e.g. { kind: cosface, embedding_dim: 512 }",
    });
  }
  if (!metric && spec.model.head) {
    ctx.addIssue({
      code: "custom",
      path: ["model", "head"],
      message: "only task metric-learning takes a margin head",
    });
  }
  if (!metric && spec.verification) {
    ctx.addIssue({
      code: "custom",
      path: ["verification"],
      message: "only task metric-learning takes verification pairs",
    });
  }
  if (metric && spec.data.layout === "csv") {
    ctx.addIssue({
      code: "custom",
      path: ["data", "layout"],
      message: "metric-learning reads one class folder per identity; the csv layout is for classification",
    });
  }
}
