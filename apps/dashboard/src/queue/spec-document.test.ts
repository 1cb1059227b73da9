import { describe, expect, it } from "vitest";
import { formatDocument, getIn, parseDocumentText, setIn, validateDocument } from "./spec-document.ts";

describe("experiment document", () => {
  it("sets and removes nested values without touching the original", () => {
    const doc = { spec: { kind: "command", env: { A: "1" } }, tags: ["x"] };
    const next = setIn(doc, ["spec", "env", "B"], "2");
    expect(getIn(next, ["spec", "env"])).toEqual({ A: "1", B: "2" });
    expect(doc.spec.env).toEqual({ A: "1" });
    expect(setIn(next, ["spec", "env", "A"], undefined)).toEqual({
      spec: { kind: "command", env: { B: "2" } },
      tags: ["x"],
    });
    expect(setIn(doc, ["tags", 0], undefined)).toEqual({ ...doc, tags: [] });
  });

  it("names the field the schema refuses, as the server would", () => {
    const problems = validateDocument({ project: "demo", spec: { kind: "command", command: "" } });
    expect(problems).toContainEqual({ path: "spec.command", message: "must not be empty" });
    expect(validateDocument({ project: "demo", spec: { kind: "command", command: "echo hi" } })).toEqual([]);
    expect(validateDocument({ project: "Bad Slug", spec: { kind: "command", command: "x" } })[0]?.path).toBe(
      "project",
    );
  });

  it("reads YAML and JSON, and reports a syntax error with its line", () => {
    const yaml = formatDocument({ project: "demo", spec: { kind: "command", command: "echo hi" } }, "yaml");
    expect(parseDocumentText(yaml)).toEqual({
      ok: true,
      doc: { project: "demo", spec: { kind: "command", command: "echo hi" } },
    });
    expect(parseDocumentText('{"project": "demo"}')).toEqual({ ok: true, doc: { project: "demo" } });
    const broken = parseDocumentText("project: demo\nspec:\n  kind: [command\n");
    expect(broken.ok).toBe(false);
    expect(broken.ok === false && broken.line).toBeGreaterThanOrEqual(3);
    expect(parseDocumentText("- a\n- b").ok).toBe(false);
  });
});

describe("presets", async () => {
  const { PRESETS } = await import("./presets.ts");
  it.each(PRESETS.map((p) => [p.id, p] as const))("%s is a valid experiment", (_id, preset) => {
    expect(validateDocument(preset.document("demo"))).toEqual([]);
  });
});
