import type { Run } from "@labtrack/schemas";
import { describe, expect, it } from "vitest";
import { groupRunsBy } from "./run-groups.ts";

const run = (id: string, group: string | null, config: Run["config"]) => ({ id, group, config }) as Run;

describe("groupRunsBy", () => {
  const runs = [
    run("a", "arm-1", { lr: 0.1, opt: { name: "adam" } }),
    run("b", "arm-2", { lr: 0.01, opt: { name: "adam" } }),
    run("c", "arm-1", { lr: 0.1, opt: { name: "sgd" } }),
    run("d", null, {}),
  ];

  it("groups by a config key, nested keys by their dotted name, and by the run's group", () => {
    expect([...(groupRunsBy(runs, "config.lr", new Set()) ?? [])]).toEqual([
      ["0.1", ["a", "c"]],
      ["0.01", ["b"]],
      ["(none)", ["d"]],
    ]);
    expect([...(groupRunsBy(runs, "config.opt.name", new Set()) ?? [])]).toEqual([
      ["adam", ["a", "b"]],
      ["sgd", ["c"]],
      ["(none)", ["d"]],
    ]);
    expect([...(groupRunsBy(runs, "group", new Set(["c"])) ?? [])]).toEqual([
      ["arm-1", ["a"]],
      ["arm-2", ["b"]],
      ["(none)", ["d"]],
    ]);
  });

  it("groups nothing without a key", () => {
    expect(groupRunsBy(runs, "", new Set())).toBeNull();
  });
});
