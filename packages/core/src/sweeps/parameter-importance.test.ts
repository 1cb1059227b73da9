import { describe, expect, it } from "vitest";
import { parameterImportance } from "./parameter-importance.ts";
import { seededUniform } from "./seeded-random.ts";

describe("parameterImportance", () => {
  const u = seededUniform(9);
  const rows = Array.from({ length: 80 }, () => {
    const lr = u();
    const noise = u();
    const slope = u();
    const net = u() < 0.5 ? "a" : "b";
    return {
      params: { lr, noise, slope, net },
      goal: (lr - 0.5) ** 2 * 40 + slope * 2 + (net === "b" ? 3 : 0) + u() * 0.1,
    };
  });
  const byName = Object.fromEntries(
    parameterImportance(rows, ["lr", "noise", "slope", "net"]).map((p) => [p.name, p]),
  );

  it("sees a non-linear effect that the correlation misses", () => {
    expect(Math.abs(byName.lr?.correlation ?? 1)).toBeLessThan(0.3);
    expect(byName.lr?.importance).toBeGreaterThan(byName.noise?.importance ?? 1);
    expect(byName.lr?.importance).toBeGreaterThan(0.2);
  });

  it("gives the correlation of a linear effect and the importance of a categorical one", () => {
    expect(byName.slope?.correlation).toBeGreaterThan(0.2);
    expect(byName.net?.correlation).toBeNull();
    expect(byName.net?.importance).toBeGreaterThan(0.1);
    expect(byName.net?.importance).toBeGreaterThan(byName.noise?.importance ?? 1);
    expect(byName.noise?.importance).toBeLessThan(0.15);
  });

  it("claims nothing from too few runs", () => {
    expect(parameterImportance(rows.slice(0, 2), ["lr"])).toEqual([
      { name: "lr", correlation: null, importance: 0 },
    ]);
  });
});
