import * as tf from "@tensorflow/tfjs";
import type { LabelledImage } from "./dataset-listing.ts";
import {
  type AugmentationSettings,
  augmentImage,
  type DecodedImage,
  decodeImage,
  toFloatBatch,
} from "./image-decoding.ts";
import { createRandom, deriveSeed } from "./seeded-random.ts";

/** A split, decoded once: images at the model's input size and their class indices. */
export interface ExampleSet {
  images: DecodedImage[];
  labels: number[][];
}

export interface SkippedImage {
  file: string;
  reason: string;
}

/** Decodes a split with bounded concurrency; images that cannot be decoded are skipped and returned. */
export async function decodeExamples(
  entries: readonly LabelledImage[],
  size: number,
  concurrency = 8,
): Promise<{ set: ExampleSet; skipped: SkippedImage[] }> {
  const results = new Array<Awaited<ReturnType<typeof decodeImage>>>(entries.length);
  let next = 0;
  const worker = async () => {
    while (next < entries.length) {
      const index = next++;
      const entry = entries[index];
      if (entry) results[index] = await decodeImage(entry.file, size);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, entries.length) }, worker));
  const set: ExampleSet = { images: [], labels: [] };
  const skipped: SkippedImage[] = [];
  entries.forEach((entry, i) => {
    const result = results[i];
    if (result?.ok) {
      set.images.push(result.image);
      set.labels.push(entry.labels);
    } else {
      skipped.push({ file: entry.file, reason: result?.reason ?? "not decoded" });
    }
  });
  return { set, skipped };
}

/** Float image batch [n, size, size, 3] for the given example indices. */
export function imageBatch(set: ExampleSet, indices: readonly number[]): tf.Tensor4D {
  const images = indices.map((i) => set.images[i] as DecodedImage);
  const size = images[0]?.size ?? 0;
  return tf.tensor4d(toFloatBatch(images), [images.length, size, size, 3]);
}

/**
 * An augmented float batch. Each image's draws are seeded by (seed, epoch, example index), so the
 * result does not depend on batch composition or on the order sharp finishes in.
 */
export async function augmentedImageBatch(
  set: ExampleSet,
  indices: readonly number[],
  settings: AugmentationSettings,
  seed: number,
  epoch: number,
): Promise<tf.Tensor4D> {
  const images = await Promise.all(
    indices.map((i) =>
      augmentImage(
        set.images[i] as DecodedImage,
        settings,
        createRandom(deriveSeed(seed, "augment", epoch, i)),
      ),
    ),
  );
  const size = images[0]?.size ?? 0;
  return tf.tensor4d(toFloatBatch(images), [images.length, size, size, 3]);
}

/** Batches of example indices, in the given order. */
export function batchesOf(order: readonly number[], batchSize: number): number[][] {
  const batches: number[][] = [];
  for (let start = 0; start < order.length; start += batchSize)
    batches.push(order.slice(start, start + batchSize));
  return batches;
}
