import { queueEnqueueInput } from "@labtrack/schemas";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  listOf,
  type MlflowPythonClient,
  mlflowPythonClient,
  textOf,
} from "../../test-support/mlflow-python-client.ts";
import {
  callProcedure,
  DB_KINDS,
  dataOf,
  startTestServer,
  type TestServer,
} from "../../test-support/test-server.ts";

const labtrackId = (id: string) => id.replace(/^(.{8})(.{4})(.{4})(.{4})(.{12})$/, "$1-$2-$3-$4-$5");

describe.each(DB_KINDS)("mlflow experiments, run search and run life cycle on %s", (kind) => {
  let server: TestServer;
  let mlflow: MlflowPythonClient;
  const trpc = (procedure: string, input: unknown) =>
    callProcedure(server, server.adminToken, procedure, input, "query");

  beforeAll(async () => {
    server = await startTestServer(kind);
    mlflow = mlflowPythonClient(server.url, { token: server.adminToken });
  });
  afterAll(() => server.close());

  it("creates, renames, tags, searches, deletes and restores experiments; '0' always exists", async () => {
    const a = textOf(
      (
        await mlflow.call("POST", "experiments/create", {
          name: "Cats / MobileNet v2",
          tags: [{ key: "team", value: "vision" }],
        })
      ).body?.experiment_id,
    );
    const dup = await mlflow.call("POST", "experiments/create", { name: "Cats / MobileNet v2" });
    expect(dup).toMatchObject({ status: 400, body: { error_code: "RESOURCE_ALREADY_EXISTS" } });
    const b = textOf((await mlflow.call("POST", "experiments/create", { name: "dogs" })).body?.experiment_id);
    expect(
      (await mlflow.call("POST", "experiments/update", { experiment_id: b, new_name: "dogs-v2" })).body,
    ).toEqual({});
    await mlflow.call("POST", "experiments/set-experiment-tag", {
      experiment_id: b,
      key: "team",
      value: "audio",
    });
    const byTag = await mlflow.call("POST", "experiments/search", {
      filter: "tags.team = 'vision'",
      max_results: 10,
    });
    expect(listOf(byTag.body?.experiments).map((e) => e?.name)).toEqual(["Cats / MobileNet v2"]);
    const byName = await mlflow.call("GET", "experiments/search", {
      filter: "name LIKE 'dogs%'",
      max_results: 10,
    });
    expect(listOf(byName.body?.experiments).map((e) => e?.experiment_id)).toEqual([b]);
    const first = await mlflow.call("POST", "experiments/search", { max_results: 2, order_by: ["name ASC"] });
    expect(listOf(first.body?.experiments).map((e) => e?.name)).toEqual(["Cats / MobileNet v2", "Default"]);
    const second = await mlflow.call("POST", "experiments/search", {
      max_results: 2,
      order_by: ["name ASC"],
      page_token: textOf(first.body?.next_page_token),
    });
    expect(listOf(second.body?.experiments).map((e) => e?.name)).toEqual(["dogs-v2"]);
    expect(second.body?.next_page_token).toBeUndefined();

    expect((await mlflow.call("POST", "experiments/delete", { experiment_id: a })).body).toEqual({});
    expect(
      (await mlflow.call("GET", "experiments/get", { experiment_id: a })).body?.experiment?.lifecycle_stage,
    ).toBe("deleted");
    const active = await mlflow.call("POST", "experiments/search", { max_results: 10 });
    expect(listOf(active.body?.experiments).map((e) => e?.experiment_id)).not.toContain(a);
    const deleted = await mlflow.call("POST", "experiments/search", {
      max_results: 10,
      view_type: "DELETED_ONLY",
    });
    expect(listOf(deleted.body?.experiments).map((e) => e?.experiment_id)).toEqual([a]);
    const projects = dataOf<{ name: string }[]>(await trpc("projects.list", undefined));
    expect(projects.map((p) => p.name)).not.toContain("Cats / MobileNet v2");
    await mlflow.call("POST", "experiments/restore", { experiment_id: a });
    expect(
      (await mlflow.call("GET", "experiments/get", { experiment_id: a })).body?.experiment?.lifecycle_stage,
    ).toBe("active");
    // A Labtrack project is found by its slug too, so MLFLOW_EXPERIMENT_NAME=<slug> logs into it.
    await callProcedure(server, server.adminToken, "projects.create", {
      slug: "flowers",
      name: "Flowers 102",
    });
    const bySlug = await mlflow.call("GET", "experiments/get-by-name", { experiment_name: "flowers" });
    expect(bySlug.body?.experiment?.name).toBe("Flowers 102");
    expect(await mlflow.call("POST", "experiments/create", { name: "flowers" })).toMatchObject({
      status: 400,
      body: { error_code: "RESOURCE_ALREADY_EXISTS" },
    });
    const zero = await mlflow.call("POST", "experiments/delete", { experiment_id: "0" });
    expect(zero).toMatchObject({ status: 400, body: { error_code: "INVALID_PARAMETER_VALUE" } });
    // The same API under /ajax-api/, as MLflow's UI calls it.
    const ajax = await fetch(`${server.url}/ajax-api/2.0/mlflow/experiments/get?experiment_id=${a}`, {
      headers: { Authorization: `Bearer ${server.adminToken}` },
    });
    expect(((await ajax.json()) as { experiment: { name: string } }).experiment.name).toBe(
      "Cats / MobileNet v2",
    );
  });

  it("searches runs with MLflow's filter, order_by and paging, and maps system tags to Labtrack fields", async () => {
    const exp = textOf(
      (await mlflow.call("POST", "experiments/create", { name: "sweep" })).body?.experiment_id,
    );
    const ids: string[] = [];
    for (const [i, lr] of ["0.1", "0.01", "0.001"].entries()) {
      const run = await mlflow.call("POST", "runs/create", {
        experiment_id: exp,
        start_time: 1_764_600_000_000 + i,
        tags: [{ key: "mlflow.runName", value: `lr-${lr}` }],
      });
      const id = textOf(run.body?.run?.info?.run_id);
      ids.push(id);
      await mlflow.call("POST", "runs/log-batch", {
        run_id: id,
        params: [{ key: "lr", value: lr }],
        metrics: [{ key: "val_acc", value: 0.7 + i / 10, timestamp: 1, step: 0 }],
        tags: [
          { key: "mlflow.note.content", value: `note ${i}` },
          { key: "mlflow.parentRunId", value: ids[0]! },
        ],
      });
    }
    const search = (fields: object) =>
      mlflow.call("POST", "runs/search", { experiment_ids: [exp], ...fields });
    const best = await search({
      filter: "metrics.val_acc > 0.75 and params.lr != '0.1'",
      order_by: ["metrics.val_acc DESC"],
    });
    expect(listOf(best.body?.runs).map((r) => r?.info?.run_name)).toEqual(["lr-0.001", "lr-0.01"]);
    const page = await search({ max_results: 2 });
    expect(listOf(page.body?.runs).map((r) => r?.info?.run_name)).toEqual(["lr-0.001", "lr-0.01"]);
    const rest = await search({
      max_results: 2,
      page_token: textOf(page.body?.next_page_token),
    });
    expect(listOf(rest.body?.runs).map((r) => r?.info?.run_name)).toEqual(["lr-0.1"]);
    const byTag = await search({ filter: "tags.mlflow.runName LIKE 'lr-0.0%'" });
    expect(listOf(byTag.body?.runs)).toHaveLength(2);

    const shown = dataOf<{ notes: string; parentRunId: string }>(
      await trpc("runs.get", { runId: labtrackId(ids[2]!) }),
    );
    expect(shown).toMatchObject({ notes: "note 2", parentRunId: labtrackId(ids[0]!) });
    await mlflow.call("POST", "runs/set-tag", { run_id: ids[2], key: "mlflow.runName", value: "renamed" });
    await mlflow.call("POST", "runs/set-tag", { run_id: ids[2], key: "stage", value: "final" });
    await mlflow.call("POST", "runs/delete-tag", { run_id: ids[2], key: "mlflow.note.content" });
    const after = dataOf<{ name: string; notes: string | null; keyValueTags: Record<string, string> }>(
      await trpc("runs.get", { runId: labtrackId(ids[2]!) }),
    );
    expect(after).toMatchObject({ name: "renamed", notes: null });
    expect(after.keyValueTags.stage).toBe("final");
    const listed = dataOf<{ runs: { name: string }[] }>(
      await trpc("runs.list", { project: "sweep", filter: "tags.stage = final" }),
    );
    expect(listed.runs.map((r) => r.name)).toEqual(["renamed"]);
    const missing = await mlflow.call("POST", "runs/delete-tag", { run_id: ids[2], key: "nope" });
    expect(missing).toMatchObject({ status: 404, body: { error_code: "RESOURCE_DOES_NOT_EXIST" } });
  });

  it("a re-sent runs/create gives back the same run; KILLED cancels an external run", async () => {
    const body = {
      experiment_id: "0",
      start_time: 1_764_700_000_000,
      tags: [{ key: "mlflow.runName", value: "twin" }],
    };
    const one = (await mlflow.call("POST", "runs/create", body)).body?.run?.info?.run_id;
    const two = (await mlflow.call("POST", "runs/create", body)).body?.run?.info?.run_id;
    expect(two).toBe(one);
    const killed = await mlflow.call("POST", "runs/update", {
      run_id: one,
      status: "KILLED",
      end_time: 1_764_700_005_000,
    });
    expect(killed.body?.run_info?.status).toBe("KILLED");
    const again = await mlflow.call("POST", "runs/update", { run_id: one, status: "KILLED" });
    expect(again.status).toBe(200);
  });

  it("leaves a queued run's status to its runner: MLflow's end_run records the end time only", async () => {
    const queued = await server.services.queue.enqueue(
      queueEnqueueInput.parse({ project: "queued", spec: { kind: "command", command: "python3 train.py" } }),
      "test",
    );
    const runId = queued.id.replaceAll("-", "");
    const started = await mlflow.call("POST", "runs/update", { run_id: runId, status: "RUNNING" });
    expect(started.body?.run_info?.status).toBe("SCHEDULED");
    const ended = await mlflow.call("POST", "runs/update", {
      run_id: runId,
      status: "FINISHED",
      end_time: 1_764_800_000_000,
    });
    expect(ended.body?.run_info).toMatchObject({ status: "SCHEDULED", end_time: 1_764_800_000_000 });
    const shown = dataOf<{ status: string }>(await trpc("runs.get", { runId: queued.id }));
    expect(shown.status).toBe("queued");
  });
});
