import {
  type FoldedPair,
  type KFoldVerification,
  kFoldVerification,
  type RocCurve,
  rocCurve,
  type TarAtFar,
  tarAtFar,
} from "@labtrack/core";
import * as tf from "@tensorflow/tfjs";
import { backboneFeatures, type Classifier } from "../classifier-model.ts";
import { batchesOf, imageBatch } from "../example-set.ts";
import { embeddingsFromFeatures } from "./embedding-model.ts";
import type { VerificationSet } from "./verification-set.ts";

export interface VerificationResult {
  kFold: KFoldVerification;
  tar: TarAtFar;
  targetFar: number;
  roc: RocCurve;
  pairs: number;
  folds: number;
}

/** L2-normalised embeddings of the set's images, in batches through the whole model. */
function embedImages(classifier: Classifier, set: VerificationSet, batchSize: number): Float32Array[] {
  const all = set.images.map((_, i) => i);
  const rows: Float32Array[] = [];
  const imageSet = { images: set.images, labels: [] };
  for (const batch of batchesOf(all, batchSize)) {
    const embeddings = tf.tidy(() =>
      embeddingsFromFeatures(classifier, backboneFeatures(classifier, imageBatch(imageSet, batch))),
    );
    const [count, dim] = embeddings.shape;
    const values = embeddings.dataSync() as Float32Array;
    for (let i = 0; i < count; i++) rows.push(values.slice(i * dim, (i + 1) * dim));
    embeddings.dispose();
  }
  return rows;
}

function dot(a: Float32Array, b: Float32Array): number {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += (a[i] ?? 0) * (b[i] ?? 0);
  return sum;
}

/** Cosine similarity of each pair (embeddings are unit length, so a dot product). */
export function scorePairs(classifier: Classifier, set: VerificationSet, batchSize: number): FoldedPair[] {
  const embeddings = embedImages(classifier, set, batchSize);
  return set.pairs.map((pair) => {
    const score = dot(embeddings[pair.first] as Float32Array, embeddings[pair.second] as Float32Array);
    if (!Number.isFinite(score)) {
      throw new Error(
        "verification: an embedding is not finite (did training diverge? try a lower learning rate)",
      );
    }
    return { score, same: pair.same, fold: pair.fold };
  });
}

/** LFW's figures for the set: k-fold accuracy, the threshold, TAR at the target FAR, the ROC curve. */
export function evaluateVerification(
  classifier: Classifier,
  set: VerificationSet,
  batchSize: number,
  targetFar: number,
): VerificationResult {
  const scored = scorePairs(classifier, set, batchSize);
  return {
    kFold: kFoldVerification(scored),
    tar: tarAtFar(scored, targetFar),
    targetFar,
    roc: rocCurve(scored),
    pairs: scored.length,
    folds: set.folds,
  };
}

/** `1e-3` for 0.001: the FAR as it appears in metric names. */
export function farLabel(far: number): string {
  return far.toExponential().replace("e+", "e");
}

/** The per-epoch metrics: `val/verification_accuracy` (k-fold mean) and the rest. */
export function verificationMetrics(result: VerificationResult): Record<string, number> {
  return {
    "val/verification_accuracy": result.kFold.accuracy,
    "val/verification_accuracy_std": result.kFold.std,
    "val/verification_threshold": result.kFold.threshold,
    [`val/tar_at_far_${farLabel(result.targetFar)}`]: result.tar.tar,
    "val/verification_auc": result.roc.auc,
  };
}
