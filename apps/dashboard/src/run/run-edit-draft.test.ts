import { describe, expect, it } from "vitest";
import { draftOf, draftToUpdate, parseTagText } from "./run-edit-draft.ts";

const runId = "6f1f4c1e-8a47-4d49-9d3b-2b1a3c4d5e6f";
const before = draftOf({ name: "mnv2-a", tags: ["baseline", "gpu"], notes: null });

describe("run edit draft", () => {
  it("splits tags on commas and spaces, dropping duplicates", () => {
    expect(parseTagText(" a, b  c,,a ")).toEqual(["a", "b", "c"]);
    expect(parseTagText("")).toEqual([]);
  });

  it("sends only what changed; empty notes clear them", () => {
    expect(draftToUpdate(runId, before, before)).toEqual({ input: { runId } });
    expect(draftToUpdate(runId, before, { ...before, name: "  mnv2-b " })).toEqual({
      input: { runId, name: "mnv2-b" },
    });
    expect(draftToUpdate(runId, before, { ...before, tags: "gpu baseline best" })).toEqual({
      input: { runId, tags: ["gpu", "baseline", "best"] },
    });
    expect(draftToUpdate(runId, before, { ...before, tags: "baseline,gpu" })).toEqual({ input: { runId } });
    const withNotes = { ...before, notes: "# lr" };
    expect(draftToUpdate(runId, before, withNotes)).toEqual({ input: { runId, notes: "# lr" } });
    expect(draftToUpdate(runId, withNotes, { ...withNotes, notes: "  \n" })).toEqual({
      input: { runId, notes: null },
    });
  });

  it("names the field the API would refuse", () => {
    const bad = draftToUpdate(runId, before, {
      name: "   ",
      tags: `ok ${"x".repeat(65)}`,
      notes: "a\u0000b",
    });
    expect("errors" in bad && Object.keys(bad.errors).sort()).toEqual(["name", "notes", "tags"]);
    expect("errors" in bad && bad.errors.tags).toContain("xxxx");
  });
});
