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

  it("shows by default the config keys that differ and the validation metrics", () => {
    expect(defaultColumnIds(runs)).toEqual(["config.optimizer.lr", "summary.val_accuracy.last"]);
  });

  it("puts single values before arrays among the differing keys, and prefers val/* metrics", () => {
    const summary = (keys: string[]) =>
      Object.fromEntries(
        keys.map((key) => [key, { last: 1, lastStep: 1, min: 1, minStep: 1, max: 1, maxStep: 1, count: 1 }]),
      );
    const sweep = [0, 1, 2].map((i) => ({
      ...run(`r${i}`, { phases: [{ lr: i }], seed: 1000 + i, batch: 32, backbone: i ? "resnet" : "mnv2" }),
      summary: summary(["train/loss", "val/loss", "val/accuracy", "sys/gpu", "lr"]),
    }));
    expect(defaultColumnIds(sweep)).toEqual([
      "config.backbone",
      "config.seed",
      "config.phases",
      "summary.val/accuracy.last",
      "summary.val/loss.last",
    ]);
    // Without a validation metric: accuracy, loss and F1 ones; without those, the first three.
    const noVal = sweep.map((r) => ({ ...r, summary: summary(["train/loss", "sys/gpu", "lr"]) }));
    expect(defaultColumnIds(noVal).filter((id) => id.startsWith("summary."))).toEqual([
      "summary.train/loss.last",
    ]);
    const plain = sweep.map((r) => ({ ...r, summary: summary(["a", "b", "c", "d"]) }));
    expect(defaultColumnIds(plain).filter((id) => id.startsWith("summary."))).toHaveLength(3);
    // One run, or runs that agree: no config column differs.
    expect(defaultColumnIds(sweep.slice(0, 1)).filter((id) => id.startsWith("config."))).toEqual([]);
  });

  it("caps the default columns at six config keys and six validation metrics", () => {
    const keys = Array.from({ length: 9 }, (_, k) => `k${k}`);
    const wide = [0, 1].map((i) => ({
      ...run(`w${i}`, Object.fromEntries(keys.map((k) => [k, i]))),
      summary: Object.fromEntries(
        keys.map((k) => [
          `val_${k}`,
          { last: i, lastStep: 1, min: i, minStep: 1, max: i, maxStep: 1, count: 1 },
        ]),
      ),
    }));
    const ids = defaultColumnIds(wide);
    expect(ids.filter((id) => id.startsWith("config."))).toHaveLength(6);
    expect(ids.filter((id) => id.startsWith("summary."))).toHaveLength(6);
  });

  it("groups by group or a config key, with collapsible groups", () => {
    const byGroup = groupRows(runs, "group", new Set());
    expect(byGroup[0]).toMatchObject({ kind: "group", runIds: ["a", "c"] });
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
