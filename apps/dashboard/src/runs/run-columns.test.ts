import type { Run } from "@labtrack/schemas";
import { describe, expect, it } from "vitest";
import { columnValue, defaultColumnIds, groupRows, parseColumnId } from "./run-columns.ts";

function run(id: string, config: Run["config"], group: string | null = null): Run {
  return {
    id,
    project: "demo",
    name: id,
    group,
    tags: [],
    keyValueTags: {},
    deletedAt: null,
    sweep: null,
    notes: null,
    status: "succeeded",
    config,
    summary: {
      val_accuracy: { last: 0.9, lastStep: 3, min: 0.5, minStep: 0, max: 0.95, maxStep: 2, count: 4 },
      "sys/gpu": { last: 50, lastStep: 3, min: 1, minStep: 0, max: 90, maxStep: 2, count: 4 },
    },
    results: {},
    spec: null,
    queue: null,
    priority: 0,
    runner: null,
    attempt: 1,
    error: null,
    parentRunId: null,
    createdAt: "2026-01-01T00:00:00.000Z",
    startedAt: null,
    finishedAt: null,
    updatedAt: "2026-01-01T00:00:00.000Z",
  };
}

describe("run table columns", () => {
  const runs = [
    run("a", { optimizer: { lr: 0.1, name: "adam" }, seed: 1 }, "sweep-1"),
    run("b", { optimizer: { lr: 0.01, name: "adam" }, seed: 1 }, "sweep-2"),
    run("c", { optimizer: { lr: 0.1, name: "adam" }, seed: 1 }, "sweep-1"),
  ];

  it("reads nested config keys and summary stats", () => {
    expect(columnValue(runs[1]!, parseColumnId("config.optimizer.lr")!)).toBe(0.01);
    expect(columnValue(runs[0]!, parseColumnId("summary.val_accuracy.max")!)).toBe(0.95);
    expect(parseColumnId("summary.val_accuracy.median")).toBeNull();
  });

  it("shows by default the config keys that differ and accuracy/loss metrics", () => {
    expect(defaultColumnIds(runs)).toEqual(["config.optimizer.lr", "summary.val_accuracy.last"]);
  });

  it("groups by group or a config key, with collapsible groups", () => {
    const byGroup = groupRows(runs, "group", new Set());
    expect(byGroup.map((r) => (r.kind === "group" ? `[${r.label} ${r.count}]` : r.run.id))).toEqual([
      "[sweep-1 2]",
      "a",
      "c",
      "[sweep-2 1]",
      "b",
    ]);
    const byLr = groupRows(runs, "config.optimizer.lr", new Set(["0.1"]));
    expect(byLr.map((r) => (r.kind === "group" ? `[${r.label} ${r.count}]` : r.run.id))).toEqual([
      "[0.1 2]",
      "[0.01 1]",
      "b",
    ]);
  });
});
