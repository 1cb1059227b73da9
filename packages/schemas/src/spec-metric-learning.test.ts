import { describe, expect, it } from "vitest";
import { experimentSpec } from "./spec.ts";
import { imageClassifierSpec } from "./spec-image-classifier.ts";

const seed004 = {
  kind: "image-classifier",
  task: "metric-learning",
  data: { path: "dataset:vggface2-aligned-112" },
  model: { backbone: "mobilenet_v2", input_size: 128, head: { kind: "cosface" } },
  verification: { path: "dataset:lfw" },
};

describe("metric-learning specs", () => {
  it("fills CosFace's and ArcFace's paper defaults and LFW's pairs.txt", () => {
    const spec = imageClassifierSpec.parse(seed004);
    expect(spec.model.head).toEqual({ kind: "cosface", embedding_dim: 512, margin: 0.35, scale: 64 });
    expect(spec.verification).toEqual({ path: "dataset:lfw", pairs: "pairs.txt", far: 1e-3 });
    expect(spec.checkpoint.keep_all).toBeUndefined();
    const arc = imageClassifierSpec.parse({
      ...seed004,
      model: { head: { kind: "arcface", embedding_dim: 128 } },
    });
    expect(arc.model.head).toEqual({ kind: "arcface", embedding_dim: 128, margin: 0.5, scale: 64 });
    expect(experimentSpec.parse(seed004)).toMatchObject({ task: "metric-learning" });
  });

  it("names the field when head and task disagree, or the head is malformed", () => {
    const paths = (input: unknown) =>
      imageClassifierSpec.safeParse(input).error?.issues.map((i) => `${i.path.join(".")}: ${i.message}`) ??
      [];
    expect(paths({ ...seed004, model: {} })).toEqual([
      expect.stringMatching(/^model\.head: task metric-learning needs a margin head/),
    ]);
    expect(paths({ ...seed004, task: "single-label" })).toEqual([
      "model.head: only task metric-learning takes a margin head",
      "verification: only task metric-learning takes verification pairs",
    ]);
    expect(paths({ ...seed004, model: { head: { kind: "sphereface" } } })[0]).toMatch(/^model\.head\.kind: /);
    expect(paths({ ...seed004, model: { head: { kind: "cosface", margin: 2 } } })[0]).toMatch(
      /^model\.head\.margin: /,
    );
    expect(paths({ ...seed004, verification: { path: "" } })[0]).toMatch(/^verification\.path: /);
    expect(paths({ ...seed004, data: { path: "x", layout: "csv" } })[0]).toMatch(/^data\.layout: /);
  });
});
