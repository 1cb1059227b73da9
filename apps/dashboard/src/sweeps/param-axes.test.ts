import { describe, expect, it } from "vitest";
import { importanceEntries } from "./importance-rows.ts";
import {
  axisValue,
  buildParamAxes,
  GOAL_AXIS,
  type ParamRow,
  rowsInIntervals,
  sweepAxisHints,
} from "./param-axes.ts";

const row = (runId: string, params: ParamRow["params"], goal: number | null): ParamRow => ({
  runId,
  name: runId,
  params,
  goal,
});

describe("buildParamAxes", () => {
  const rows = [
    row("a", { lr: 0.0001, bs: 16, net: "resnet", wd: 0.1 }, 0.5),
    row("b", { lr: 0.01, bs: 64, net: "mobilenet", wd: 0.2 }, 0.4),
    row("c", { lr: 0.1, bs: 32, net: "efficientnet" }, 0.9),
  ];

  it("makes numbers value axes (log over three decades or where the sweep says) and the rest categories", () => {
    const axes = buildParamAxes(rows, ["lr", "bs", "net", "wd"]);
    expect(axes.map((a) => [a.key, a.scale])).toEqual([
      ["lr", "log"],
      ["bs", "linear"],
      ["net", "category"],
      ["wd", "linear"],
    ]);
    expect(axes[2]?.categories).toEqual(["efficientnet", "mobilenet", "resnet"]);
    const hinted = buildParamAxes(rows, ["wd", "lr"], { wd: { scale: "log" }, lr: { scale: "linear" } });
    expect(hinted.map((a) => a.scale)).toEqual(["log", "linear"]);
  });

  it("keeps a sweep's listed order of categories, and never puts zero on a log axis", () => {
    const hints = sweepAxisHints({
      net: { values: ["resnet", "mobilenet", "efficientnet"] },
      lr: { min: 0.0001, max: 0.1, distribution: "log_uniform_values" },
    });
    const [net] = buildParamAxes(rows, ["net"], hints);
    expect(net?.categories).toEqual(["resnet", "mobilenet", "efficientnet"]);
    const withZero = buildParamAxes([...rows, row("z", { lr: 0 }, 1)], ["lr"], hints);
    expect(withZero[0]?.scale).toBe("linear");
    expect(axisValue({ key: "lr", scale: "log", categories: [] }, 0)).toBeNull();
  });
});

describe("rowsInIntervals", () => {
  const rows = [
    row("a", { lr: 0.001, net: "x" }, 0.2),
    row("b", { lr: 0.01, net: "y" }, 0.5),
    row("c", { lr: 0.1, net: "x" }, 0.9),
    row("d", { net: "y" }, 0.3),
  ];
  const axes = buildParamAxes(rows, ["lr", "net"]);

  it("keeps every row when nothing is brushed and those inside every brushed axis otherwise", () => {
    expect(rowsInIntervals(rows, axes, new Map())).toHaveLength(4);
    expect(rowsInIntervals(rows, axes, new Map([[GOAL_AXIS, [[0.25, 0.6]]]])).map((r) => r.runId)).toEqual([
      "b",
      "d",
    ]);
    // Categories brush by index ("x" is 0); a run without the value is outside a brushed axis.
    const both = new Map<string, [number, number][]>([
      ["net", [[-0.4, 0.4]]],
      ["lr", [[0.05, 0.005]]],
    ]);
    expect(rowsInIntervals(rows, axes, both).map((r) => r.runId)).toEqual([]);
    const two = new Map<string, [number, number][]>([
      [
        "lr",
        [
          [0.0005, 0.002],
          [0.05, 0.2],
        ],
      ],
    ]);
    expect(rowsInIntervals(rows, axes, two).map((r) => r.runId)).toEqual(["a", "c"]);
  });
});

describe("importanceEntries", () => {
  it("puts the parameter that shapes the goal first and gives categories no correlation", () => {
    const rows = Array.from({ length: 40 }, (_, i) => {
      const lr = 10 ** (-4 + (i % 10) / 3);
      const net = i % 2 ? "a" : "b";
      const seed = (i * 7919) % 13;
      return row(`r${i}`, { lr, net, seed }, (Math.log10(lr) + 2.5) ** 2 + seed * 0.001);
    });
    const axes = buildParamAxes(rows, ["lr", "net", "seed"]);
    const entries = importanceEntries(rows, axes);
    expect(entries[0]?.key).toBe("lr");
    expect(entries.find((e) => e.key === "net")?.correlation).toBeNull();
    expect(entries.reduce((s, e) => s + e.importance, 0)).toBeCloseTo(1, 6);
  });
});

describe("axis ticks", () => {
  it("writes powers of ten short", async () => {
    const { tick } = await import("./chart-options.ts");
    expect([tick(0.00001), tick(0.0001), tick(0.5), tick(128), tick("sgd")]).toEqual([
      "1e-5",
      "0.0001",
      "0.5",
      "128",
      "sgd",
    ]);
  });
});
