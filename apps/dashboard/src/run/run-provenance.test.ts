import type { Run } from "@labtrack/schemas";
import { describe, expect, it } from "vitest";
import { keyValueTagRows, provenanceRows } from "./run-provenance.ts";

const base = {
  id: "8d0f6a3e-1c2b-4d5e-8f90-a1b2c3d4e5f6",
  project: "cats",
  name: "mnv2",
  group: null,
  tags: ["baseline"],
  deletedAt: null,
  sweep: null,
  notes: null,
  status: "running",
  config: {},
  summary: {},
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
} satisfies Omit<Run, "keyValueTags">;

describe("the Run page's key/value tags", () => {
  it("lists them sorted by key and shows MLflow's source and user", () => {
    const run: Run = {
      ...base,
      keyValueTags: { "mlflow.user": "ann", "mlflow.source.name": "/home/ann/train.py", epochs: "10" },
    };
    expect(keyValueTagRows(run)).toEqual([
      ["epochs", "10"],
      ["mlflow.source.name", "/home/ann/train.py"],
      ["mlflow.user", "ann"],
    ]);
    expect(provenanceRows(run)).toEqual({ source: "/home/ann/train.py", user: "ann" });
    expect(provenanceRows({ ...base, keyValueTags: {} })).toEqual({ source: null, user: null });
  });
});
