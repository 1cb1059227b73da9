import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import type { EmbeddingModelConfig } from "@labtrack/inference";
import type { ImageClassifierSpec, JsonValue } from "@labtrack/schemas";
import sharp from "sharp";
import type { Classifier } from "../classifier-model.ts";
import { MODEL_DIR } from "../export-model.ts";
import { saveModelToDir } from "../model-files.ts";
import type { RunReporter } from "../run-reporter.ts";
import { rocCurveSvg } from "./roc-plot.ts";
import {
  evaluateVerification,
  farLabel,
  type VerificationResult,
  verificationMetrics,
} from "./verification-eval.ts";
import { loadVerificationSet, type VerificationSet } from "./verification-set.ts";

export const ROC_FIGURE = "figures/roc_curve";

/** The verification part of a metric-learning run: pairs scored each epoch and at the end. */
export interface MetricLearningRun {
  verification: VerificationSet | null;
  /** Metrics to log with each epoch's (empty without verification pairs). */
  epochMetrics(classifier: Classifier): Record<string, number>;
  /** Final verification, the ROC figure, the exported embedding model; returns the summary part. */
  finish(
    classifier: Classifier,
    artifactsDir: string,
    reporter: RunReporter,
  ): Promise<Record<string, JsonValue>>;
}

async function writeRocFigure(result: VerificationResult, artifactsDir: string, reporter: RunReporter) {
  await mkdir(path.join(artifactsDir, path.dirname(ROC_FIGURE)), { recursive: true });
  const atThreshold = result.roc.points.reduce((best, p) =>
    p.threshold >= result.kFold.threshold && p.threshold < best.threshold ? p : best,
  );
  const svg = rocCurveSvg(
    result.roc,
    `Verification ROC, ${result.pairs} pairs`,
    atThreshold.threshold >= result.kFold.threshold ? atThreshold : undefined,
  );
  await writeFile(path.join(artifactsDir, `${ROC_FIGURE}.svg`), svg);
  await sharp(Buffer.from(svg))
    .png()
    .toFile(path.join(artifactsDir, `${ROC_FIGURE}.png`));
  await writeFile(
    path.join(artifactsDir, `${ROC_FIGURE}.json`),
    `${JSON.stringify({ auc: result.roc.auc, points: result.roc.points })}\n`,
  );
  reporter.artifact(`${ROC_FIGURE}.png`, "plot");
  reporter.artifact(`${ROC_FIGURE}.svg`, "plot");
  reporter.artifact(`${ROC_FIGURE}.json`, "file");
}

function verificationSummary(result: VerificationResult, set: VerificationSet, trained: Set<string>) {
  return {
    accuracy: result.kFold.accuracy,
    accuracy_std: result.kFold.std,
    fold_accuracies: result.kFold.foldAccuracies,
    threshold: result.kFold.threshold,
    accuracy_at_threshold: result.kFold.accuracyAtThreshold,
    [`tar_at_far_${farLabel(result.targetFar)}`]: result.tar.tar,
    far_reached: result.tar.far,
    impostor_pairs: result.tar.impostorPairs,
    auc: result.roc.auc,
    pairs: result.pairs,
    folds: result.folds,
    identities: set.identities.length,
    identities_seen_in_training: set.identities.filter((name) => trained.has(name)).length,
  };
}

async function exportEmbeddingModel(
  classifier: Classifier,
  config: EmbeddingModelConfig,
  classNames: string[],
  artifactsDir: string,
  reporter: RunReporter,
): Promise<void> {
  const dir = path.join(artifactsDir, MODEL_DIR);
  const files = await saveModelToDir(classifier.exportModel, dir);
  await writeFile(path.join(dir, "labels.txt"), `${classNames.join("\n")}\n`);
  await writeFile(path.join(dir, "inference_config.json"), `${JSON.stringify(config, null, 2)}\n`);
  for (const file of [...files, "labels.txt", "inference_config.json"])
    reporter.artifact(`${MODEL_DIR}/${file}`, "model");
}

/**
 * Loads the verification pairs (when the spec names them; `verificationDir` is the resolved
 * folder) and says in the log how many of their identities the training set also has.
 */
export async function prepareMetricLearning(
  spec: ImageClassifierSpec,
  verificationDir: string | undefined,
  classNames: string[],
  reporter: RunReporter,
): Promise<MetricLearningRun> {
  const head = spec.model.head;
  if (!head) throw new Error("model.head: task metric-learning needs a margin head");
  const options = spec.verification;
  const dir = verificationDir ?? options?.path;
  const set = options && dir ? await loadVerificationSet(dir, options.pairs, spec.model.input_size) : null;
  const trained = new Set(classNames);
  if (set) {
    const seen = set.identities.filter((name) => trained.has(name)).length;
    reporter.log(
      `verification: ${set.pairs.length} pairs in ${set.folds} folds, ${set.images.length} images of ` +
        `${set.identities.length} people (${seen} of them also in training)`,
    );
  }
  const evaluate = (classifier: Classifier) =>
    set && options ? evaluateVerification(classifier, set, spec.batch_size, options.far) : null;
  return {
    verification: set,
    epochMetrics(classifier) {
      const result = evaluate(classifier);
      return result ? verificationMetrics(result) : {};
    },
    async finish(classifier, artifactsDir, reporter) {
      const result = evaluate(classifier);
      if (result && set) await writeRocFigure(result, artifactsDir, reporter);
      await exportEmbeddingModel(
        classifier,
        {
          format: "labtrack-embedding-model/1",
          input_size: spec.model.input_size,
          preprocessing: { resize: "stretch", channels: "RGB", scale: 1 / 255, offset: 0 },
          backbone: classifier.backbone.name,
          embedding_dim: head.embedding_dim,
          normalize: "l2",
          head: { kind: head.kind, margin: head.margin, scale: head.scale },
          identities: classNames.length,
          verification: result
            ? {
                threshold: result.kFold.threshold,
                accuracy: result.kFold.accuracy,
                accuracy_std: result.kFold.std,
                pairs: result.pairs,
              }
            : null,
        },
        classNames,
        artifactsDir,
        reporter,
      );
      return {
        embedding_dim: head.embedding_dim,
        margin_head: head,
        ...(result && set ? { verification: verificationSummary(result, set, trained) } : {}),
      };
    },
  };
}
