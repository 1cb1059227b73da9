import { describe, expect, it } from "vitest";
import { diffColumns, expandConfig } from "./config-cells.ts";

describe("expandConfig", () => {
  it("opens arrays and the objects in them into one key per leaf", () => {
    const expanded = expandConfig({ phases: [{ lr: 0.1, epochs: 3 }, { lr: 0.3 }], seed: 1, tags: [] });
    expect([...expanded]).toEqual([
      ["phases[0].lr", 0.1],
      ["phases[0].epochs", 3],
      ["phases[1].lr", 0.3],
      ["seed", 1],
      ["tags", []],
    ]);
  });
});

describe("diffColumns", () => {
  it("names the learning rate inside a phases array that differs, first", () => {
    const a = expandConfig({ phases: [{ lr: 0.1 }, { lr: 0.3 }], seed: 1 });
    const b = expandConfig({ phases: [{ lr: 0.1 }, { lr: 0.03 }], seed: 1 });
    const { keys, differing } = diffColumns([a, b]);
    expect([...differing]).toEqual(["phases[1].lr"]);
    expect(keys).toEqual(["phases[1].lr", "phases[0].lr", "seed"]);
  });

  it("counts a key one run lacks as differing", () => {
    const { differing } = diffColumns([expandConfig({ a: 1 }), expandConfig({ a: 1, b: 2 })]);
    expect([...differing]).toEqual(["b"]);
  });

  it("sorts phases[10] after phases[2]", () => {
    const config = expandConfig({ p: Array.from({ length: 11 }, (_, i) => i) });
    expect(diffColumns([config]).keys.slice(1, 3)).toEqual(["p[1]", "p[2]"]);
  });
});
