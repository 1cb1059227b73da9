import type { ImageClassifierSpec } from "@labtrack/schemas";
import * as tf from "@tensorflow/tfjs";
import { backboneFeatures, type Classifier } from "./classifier-model.ts";
import { augmentedImageBatch, batchesOf, type ExampleSet, imageBatch } from "./example-set.ts";
import type { AugmentationSettings } from "./image-decoding.ts";

/**
 * Bottleneck features: while a phase trains only the head, the backbone's output for an image does
 * not change, so it is computed once and the head trains on it. `plain`: augmentation is off, one
 * view per image; `views`: `augmentation.fixed_views` augmented views per image; `none`: the
 * backbone runs at every step (it trains, augmentation draws fresh views, or the cache is off).
 */
export type FeatureCacheMode = "none" | "plain" | "views";

export function featureCacheMode(spec: ImageClassifierSpec, trainsBackbone: boolean): FeatureCacheMode {
  if (trainsBackbone || !spec.feature_cache) return "none";
  if (!spec.augmentation.enabled) return "plain";
  return spec.augmentation.fixed_views > 0 ? "views" : "none";
}

/** Which cached view epoch `epochInPhase` of a phase trains on. */
export function viewForEpoch(epochInPhase: number, views: number): number {
  return views > 0 ? epochInPhase % views : 0;
}

/** Pooled features of a whole set, computed in batches by the (frozen) backbone. */
export function computeFeatures(classifier: Classifier, set: ExampleSet, batchSize: number): tf.Tensor2D {
  const all = set.images.map((_, i) => i);
  const parts = batchesOf(all, batchSize).map((batch) =>
    tf.tidy(() => backboneFeatures(classifier, imageBatch(set, batch))),
  );
  const features = tf.concat(parts) as tf.Tensor2D;
  for (const part of parts) part.dispose();
  return features;
}

export interface ViewOptions {
  views: number;
  settings: AugmentationSettings;
  seed: number;
  /** The global epoch the phase started at: view v is drawn as a fresh view of epoch phaseStart + v would be. */
  phaseStartEpoch: number;
  batchSize: number;
}

/** Features of `views` augmented copies of every training image, one [n, dim] tensor per view. */
export async function computeViewFeatures(
  classifier: Classifier,
  set: ExampleSet,
  options: ViewOptions,
): Promise<tf.Tensor2D[]> {
  const all = set.images.map((_, i) => i);
  const out: tf.Tensor2D[] = [];
  for (let view = 0; view < options.views; view++) {
    const parts: tf.Tensor2D[] = [];
    for (const batch of batchesOf(all, options.batchSize)) {
      const images = await augmentedImageBatch(
        set,
        batch,
        options.settings,
        options.seed,
        options.phaseStartEpoch + view,
      );
      parts.push(tf.tidy(() => backboneFeatures(classifier, images)));
      images.dispose();
    }
    out.push(tf.concat(parts) as tf.Tensor2D);
    for (const part of parts) part.dispose();
  }
  return out;
}
