import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  callProcedure,
  DB_KINDS,
  dataOf,
  startTestServer,
  type TestServer,
} from "../test-support/test-server.ts";

type RunOut = { id: string; name: string; status: string; config: Record<string, unknown>; tags: string[] };

describe.each(DB_KINDS)("runs on %s", (kind) => {
  let server: TestServer;
  const call = (procedure: string, input: unknown, method: "query" | "mutation" = "mutation") =>
    callProcedure(server, server.adminToken, procedure, input, method);
  const create = async (input: unknown) => {
    const res = await call("runs.create", input);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    return dataOf<RunOut>(res);
  };
  const logPoints = (runId: string, points: unknown[]) => call("metrics.log", { runId, points });

  beforeAll(async () => {
    server = await startTestServer(kind);
  });
  afterAll(() => server.close());

  it("creates an external run that starts running, with flattened config and a project made on the fly", async () => {
    const run = await create({
      project: "cats",
      name: "mnv2-a",
      group: "sweep-1",
      tags: ["baseline", "baseline", "gpu"],
      config: { optimizer: { lr: 0.001, name: "adam" }, epochs: 10 },
    });
    expect(run.status).toBe("running");
    expect(run.tags).toEqual(["baseline", "gpu"]);
    expect(run.config).toEqual({ "optimizer.lr": 0.001, "optimizer.name": "adam", epochs: 10 });
    const projects = await call("projects.list", undefined, "query");
    expect(projects.body.result?.data).toEqual([expect.objectContaining({ slug: "cats", runCount: 1 })]);
  });

  it("keeps key/value tags beside the label tags: create, merge, delete, filter and sort by tags.<key>", async () => {
    const a = await create({
      project: "kv",
      name: "a",
      tags: ["best"],
      keyValueTags: { "labtrack.source": "/abs/dir", "mlflow.user": "ann" },
    });
    const b = await create({
      project: "kv",
      name: "b",
      keyValueTags: { "mlflow.user": "bob", epochs: "10" },
    });
    expect(a).toMatchObject({
      tags: ["best"],
      keyValueTags: { "labtrack.source": "/abs/dir", "mlflow.user": "ann" },
    });
    const updated = await call("runs.update", {
      runId: b.id,
      setKeyValueTags: { stage: "fine-tune", epochs: "12" },
      deleteKeyValueTags: ["mlflow.user", "not-there"],
    });
    expect(dataOf<{ keyValueTags: unknown }>(updated).keyValueTags).toEqual({
      epochs: "12",
      stage: "fine-tune",
    });
    const list = async (filter: string, sort?: unknown) =>
      dataOf<{ runs: RunOut[] }>(await call("runs.list", { project: "kv", filter, sort }, "query")).runs.map(
        (r) => r.name,
      );
    expect(await list('tags."labtrack.source" = "/abs/dir"')).toEqual(["a"]);
    expect(await list("tags.epochs = 12")).toEqual(["b"]);
    expect(await list("tags.mlflow.user = null")).toEqual(["b"]);
    expect(await list("tags has best")).toEqual(["a"]);
    expect(
      await list("tags.stage ~ tune or tags.mlflow.user in (ann)", {
        field: "tags.mlflow.user",
        direction: "asc",
      }),
    ).toEqual(["a", "b"]);
    const bad = await call("runs.update", { runId: b.id, setKeyValueTags: { "": "x" } });
    expect(bad.status).toBe(400);
    expect(bad.body.error?.message).toMatch(/setKeyValueTags/);
    const after = dataOf<{ keyValueTags: unknown }>(await call("runs.get", { runId: b.id }, "query"));
    expect(after.keyValueTags).toEqual({ epochs: "12", stage: "fine-tune" });
  });

  it("updates name, tags and notes, and finishes with an error text", async () => {
    const run = await create({ project: "cats", name: "to-update" });
    const updated = await call("runs.update", {
      runId: run.id,
      name: "renamed",
      tags: ["x"],
      notes: "hello",
    });
    expect(updated.body.result?.data).toMatchObject({ name: "renamed", tags: ["x"], notes: "hello" });
    const finished = await call("runs.finish", { runId: run.id, status: "failed", error: "CUDA OOM" });
    expect(finished.body.result?.data).toMatchObject({ status: "failed", error: "CUDA OOM" });
    const again = await call("runs.finish", { runId: run.id, status: "succeeded" });
    expect(again.status).toBe(409);
    expect(again.body.error?.message).toMatch(/cannot go from failed to succeeded/);
    const events = await call("runs.events", { runId: run.id }, "query");
    expect(dataOf<{ to: string }[]>(events).map((e) => e.to)).toEqual(["running", "failed"]);
  });

  it("sets a finished run's time range (an imported run's), refusing an end for a running run or before the start", async () => {
    const run = await create({ project: "times" });
    const early = await call("runs.update", { runId: run.id, finishedAt: 1_700_000_000_000 });
    expect(early.status).toBe(409);
    expect(early.body.error?.message).toMatch(/^finishedAt: .* is running/);
    expect((await call("runs.finish", { runId: run.id, status: "succeeded" })).status).toBe(200);
    const set = await call("runs.update", {
      runId: run.id,
      startedAt: "2023-11-14T22:13:20.000Z",
      finishedAt: 1_700_000_060_000,
    });
    expect(dataOf<{ startedAt: string; finishedAt: string }>(set)).toMatchObject({
      startedAt: "2023-11-14T22:13:20.000Z",
      finishedAt: "2023-11-14T22:14:20.000Z",
    });
    const backwards = await call("runs.update", { runId: run.id, startedAt: 1_700_000_120_000 });
    expect(backwards.status).toBe(400);
    expect(backwards.body.error?.message).toMatch(/^startedAt: /);
    const bad = await call("runs.update", { runId: run.id, startedAt: "yesterday" });
    expect(bad.status).toBe(400);
    expect(bad.body.error?.message).toMatch(/startedAt/);
    const after = dataOf<{ startedAt: string }>(await call("runs.get", { runId: run.id }, "query"));
    expect(after.startedAt).toBe("2023-11-14T22:13:20.000Z");
  });

  it("filters by config and summary metrics and sorts by any field, page by page", async () => {
    const project = "sweep";
    const lrs = [0.1, 0.01, 0.001, 0.0001, 0.005];
    const accs = [0.5, 0.8, 0.95, 0.92, 0.99];
    const ids: string[] = [];
    for (const [i, lr] of lrs.entries()) {
      const run = await create({
        project,
        name: `lr-${lr}`,
        config: { lr, backbone: i % 2 ? "resnet" : "mobilenet_v2" },
        tags: i === 4 ? ["best"] : [],
      });
      ids.push(run.id);
      await logPoints(run.id, [
        { key: "val_accuracy", step: 0, value: accs[i]! / 2 },
        { key: "val_accuracy", step: 1, value: accs[i]! },
        { key: "val_accuracy", step: 2, value: accs[i]! - 0.1 },
      ]);
    }
    const list = async (input: Record<string, unknown>) => {
      const res = await call("runs.list", { project, ...input }, "query");
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      return dataOf<{ runs: RunOut[]; nextCursor: string | null; total: number }>(res);
    };
    const filtered = await list({
      filter: "config.lr < 0.01 and summary.val_accuracy.max > 0.9",
      sort: { field: "config.lr", direction: "asc" },
    });
    expect(filtered.runs.map((r) => r.name)).toEqual(["lr-0.0001", "lr-0.001", "lr-0.005"]);
    const bySummary = await list({ sort: { field: "summary.val_accuracy.max", direction: "desc" } });
    expect(bySummary.runs.map((r) => r.name)).toEqual([
      "lr-0.005",
      "lr-0.001",
      "lr-0.0001",
      "lr-0.01",
      "lr-0.1",
    ]);
    const textual = await list({ filter: "config.backbone = resnet or tags has best" });
    expect(textual.total).toBe(3);
    const last = await list({ filter: "summary.val_accuracy.last >= 0.85" });
    expect(last.runs.map((r) => r.name).sort()).toEqual(["lr-0.001", "lr-0.005"]);
    const firstPage = await list({ limit: 2, sort: { field: "name", direction: "asc" } });
    expect(firstPage.total).toBe(5);
    expect(firstPage.nextCursor).not.toBeNull();
    const secondPage = await list({
      limit: 2,
      sort: { field: "name", direction: "asc" },
      cursor: firstPage.nextCursor,
    });
    const thirdPage = await list({
      limit: 2,
      sort: { field: "name", direction: "asc" },
      cursor: secondPage.nextCursor,
    });
    expect([...firstPage.runs, ...secondPage.runs, ...thirdPage.runs].map((r) => r.name)).toEqual([
      "lr-0.0001",
      "lr-0.001",
      "lr-0.005",
      "lr-0.01",
      "lr-0.1",
    ]);
    expect(thirdPage.nextCursor).toBeNull();
  });

  it("answers bad input with a 400 that names the field, and a bad filter with its position", async () => {
    const res = await call("runs.create", { project: "Bad Slug!", tags: ["ok"] });
    expect(res.status).toBe(400);
    expect(res.body.error?.message).toMatch(/^Invalid input: project: /);
    expect(res.body.error?.data.fields?.[0]?.path).toEqual(["project"]);
    const filter = await call("runs.list", { project: "sweep", filter: "config.lr <" }, "query");
    expect(filter.status).toBe(400);
    expect(filter.body.error?.message).toMatch(/^filter: expected a value/);
    const unknown = await call("runs.get", { runId: "00000000-0000-4000-8000-000000000000" }, "query");
    expect(unknown.status).toBe(404);
    expect(unknown.body.error?.message).toMatch(/^runId: no run/);
  });
});
