import { describe, expect, it } from "vitest";
import { assignRunColors, RUN_PALETTE, withAlpha } from "./run-colors.ts";

const ids = (n: number) => Array.from({ length: n }, (_, i) => `run-${i}`);

describe("run colours", () => {
  it("gives every run of a palette-sized selection its own palette colour", () => {
    const colors = assignRunColors(ids(RUN_PALETTE.length));
    expect(new Set(colors.values()).size).toBe(RUN_PALETTE.length);
    for (const color of colors.values()) expect(RUN_PALETTE).toContain(color);
  });

  it("does not depend on the order runs were selected in", () => {
    const forward = assignRunColors(ids(8));
    const backward = assignRunColors(ids(8).reverse());
    expect([...backward.entries()].sort()).toEqual([...forward.entries()].sort());
  });

  it("keeps a run's colour when another run is added or removed, if its slot stays free", () => {
    const three = assignRunColors(["alpha", "beta", "gamma"]);
    const two = assignRunColors(["alpha", "gamma"]);
    expect(two.get("alpha")).toBe(three.get("alpha"));
    expect(two.get("gamma")).toBe(three.get("gamma"));
  });

  it("still colours 50 runs, with distinct colours beyond the palette", () => {
    const colors = assignRunColors(ids(50));
    expect(colors.size).toBe(50);
    expect(new Set(colors.values()).size).toBeGreaterThan(40);
  });

  it("adds transparency to hex and hsl colours", () => {
    expect(withAlpha("#3b82f6", 0.25)).toBe("#3b82f640");
    expect(withAlpha("hsl(10 70% 45%)", 0.3)).toBe("hsl(10 70% 45% / 0.3)");
  });
});
