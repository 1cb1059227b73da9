import { beforeEach, describe, expect, it } from "vitest";
import { rememberColumns, rememberedColumns } from "./column-memory.ts";

describe("columns remembered per project", () => {
  beforeEach(() => localStorage.clear());

  it("keeps each project's choice apart and forgets it on reset", () => {
    rememberColumns("flowers", ["config.lr", "summary.val/loss.last"]);
    rememberColumns("birds", ["config.seed"]);
    expect(rememberedColumns("flowers")).toEqual(["config.lr", "summary.val/loss.last"]);
    expect(rememberedColumns("birds")).toEqual(["config.seed"]);
    expect(rememberedColumns("cats")).toBeNull();
    rememberColumns("flowers", null);
    expect(rememberedColumns("flowers")).toBeNull();
    expect(rememberedColumns("birds")).toEqual(["config.seed"]);
  });

  it("ignores what it did not write", () => {
    localStorage.setItem("labtrack.columns.flowers", "{not json");
    expect(rememberedColumns("flowers")).toBeNull();
    localStorage.setItem("labtrack.columns.flowers", JSON.stringify([1, 2]));
    expect(rememberedColumns("flowers")).toBeNull();
  });
});
