import { describe, expect, it } from "vitest";
import { datasetName, parseDatasetRef } from "./dataset.ts";

describe("parseDatasetRef", () => {
  it("reads a name and an optional version", () => {
    expect(parseDatasetRef("dataset:shapes")).toEqual({ name: "shapes" });
    expect(parseDatasetRef("dataset:cats-v2.small@12")).toEqual({ name: "cats-v2.small", version: 12 });
  });

  it("leaves plain folder paths alone", () => {
    expect(parseDatasetRef("/data/shapes")).toBeNull();
    expect(parseDatasetRef("datasets/shapes")).toBeNull();
  });

  it.each([
    ["dataset:", /dataset name/],
    ["dataset:../etc", /dataset name/],
    ["dataset:shapes@", /version/],
    ["dataset:shapes@0", /version/],
    ["dataset:shapes@1.5", /version/],
    ["dataset:shapes@latest", /version/],
  ])("refuses %s naming the field", (text, message) => {
    expect(() => parseDatasetRef(text)).toThrow(/data\.path/);
    expect(() => parseDatasetRef(text)).toThrow(message);
  });
});

describe("datasetName", () => {
  it("refuses separators that would escape a folder or a URL segment", () => {
    for (const bad of ["a/b", "a b", ".hidden", "x@1", ""])
      expect(datasetName.safeParse(bad).success).toBe(false);
  });
});
