import { describe, expect, it } from "vitest";
import { parseDocumentText } from "./spec-document.ts";
import { sweepTemplate, validateSweepDocument } from "./sweep-document.ts";

describe("sweep documents", () => {
  it("starts from a template the server accepts", () => {
    expect(validateSweepDocument(sweepTemplate())).toEqual([]);
  });

  it("names the field of a bad space, as the server does", () => {
    const doc = sweepTemplate();
    const text = `name: s\nmethod: random\nmetric: {name: loss}\nparameters:\n  lr: {min: 0.1, max: 0.01}\n  bs: {values: []}\nspec: {kind: command, command: [python3, t.py, "\${lr}", "\${bs}"]}\n`;
    const parsed = parseDocumentText(text);
    if (!parsed.ok) throw new Error(parsed.message);
    const paths = validateSweepDocument(parsed.doc).map((p) => p.path);
    expect(paths).toContain("parameters.lr.min");
    expect(paths).toContain("parameters.bs.values");
    expect(paths).toContain("run_cap");
    expect(
      validateSweepDocument({ ...doc, parameters: { nope: { values: [1] } } }).map((p) => p.path),
    ).toEqual(["parameters.nope"]);
  });
});
