import type { DatasetListing, LabelledImage } from "./dataset-listing.ts";
import { createRandom, deriveSeed, shuffled } from "./seeded-random.ts";

export interface DatasetSplit {
  train: LabelledImage[];
  val: LabelledImage[];
  test: LabelledImage[];
}

export interface SplitOptions {
  seed: number;
  valFraction: number;
  testFraction: number;
  maxImagesPerClass?: number;
}

/**
 * Splits per class (by each image's first label), so every class keeps its share in every split;
 * the same seed always gives the same split. Pre-split datasets keep their splits.
 */
export function splitDataset(listing: DatasetListing, options: SplitOptions): DatasetSplit {
  if (listing.presplit) return listing.presplit;
  const random = createRandom(deriveSeed(options.seed, "split"));
  const byClass = new Map<number, LabelledImage[]>();
  for (const image of listing.images) {
    const key = image.labels[0] ?? -1;
    byClass.set(key, [...(byClass.get(key) ?? []), image]);
  }
  const split: DatasetSplit = { train: [], val: [], test: [] };
  for (const key of [...byClass.keys()].sort((a, b) => a - b)) {
    let images = shuffled(byClass.get(key) ?? [], random);
    if (options.maxImagesPerClass !== undefined) images = images.slice(0, options.maxImagesPerClass);
    const testCount = Math.round(images.length * options.testFraction);
    const valCount = Math.round(images.length * options.valFraction);
    split.test.push(...images.slice(0, testCount));
    split.val.push(...images.slice(testCount, testCount + valCount));
    split.train.push(...images.slice(testCount + valCount));
  }
  return split;
}
