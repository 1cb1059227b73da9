import { describe, expect, it } from "vitest";
import { PRESETS, specTemplate } from "./presets.ts";
import { validateDocument } from "./spec-document.ts";

describe("presets", () => {
  it("are valid experiments as they are", () => {
    for (const preset of PRESETS) expect(validateDocument(preset.document("vision")), preset.id).toEqual([]);
  });

  it("give a complete spec to switch the experiment kind to, not an empty one", () => {
    for (const kind of ["command", "image-classifier"]) {
      const doc = { project: "vision", name: "switched", spec: specTemplate(kind) };
      expect(validateDocument(doc), kind).toEqual([]);
      expect(doc.spec).toMatchObject({ kind });
    }
  });
});
