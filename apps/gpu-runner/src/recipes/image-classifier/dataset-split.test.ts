import { describe, expect, it } from "vitest";
import type { DatasetListing } from "./dataset-listing.ts";
import { splitDataset } from "./dataset-split.ts";

const listing: DatasetListing = {
  classNames: ["a", "b"],
  multiLabel: false,
  images: [
    ...Array.from({ length: 50 }, (_, i) => ({ file: `a/${i}.png`, labels: [0] })),
    ...Array.from({ length: 10 }, (_, i) => ({ file: `b/${i}.png`, labels: [1] })),
  ],
};
const options = { seed: 9, valFraction: 0.2, testFraction: 0.1 };

describe("splitDataset", () => {
  it("keeps each class's share in every split and gives the same split for the same seed", () => {
    const split = splitDataset(listing, options);
    const count = (images: { labels: number[] }[], c: number) =>
      images.filter((i) => i.labels[0] === c).length;
    expect([count(split.train, 0), count(split.val, 0), count(split.test, 0)]).toEqual([35, 10, 5]);
    expect([count(split.train, 1), count(split.val, 1), count(split.test, 1)]).toEqual([7, 2, 1]);
    expect(splitDataset(listing, options)).toEqual(split);
    expect(splitDataset(listing, { ...options, seed: 10 }).test).not.toEqual(split.test);
  });

  it("caps images per class", () => {
    const split = splitDataset(listing, { ...options, maxImagesPerClass: 10 });
    expect(split.train.length + split.val.length + split.test.length).toBe(20);
  });
});
