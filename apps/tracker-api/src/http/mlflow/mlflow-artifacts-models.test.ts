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

describe.each(DB_KINDS)("mlflow artifacts, logged models, inputs and experiment tags on %s", (kind) => {
  let server: TestServer;
  let mlflow: MlflowPythonClient;
  let runId: string;
  let root: string;
  const trpc = (procedure: string, input: unknown) =>
    callProcedure(server, server.adminToken, procedure, input, "query");

  beforeAll(async () => {
    server = await startTestServer(kind);
    mlflow = mlflowPythonClient(server.url, { token: server.adminToken });
    const created = await mlflow.call("POST", "runs/create", { experiment_id: "0" });
    runId = textOf(created.body?.run?.info?.run_id);
    root = textOf(created.body?.run?.info?.artifact_uri).replace("mlflow-artifacts:/", "");
  });
  afterAll(() => server.close());

  it("lists, downloads and deletes artifacts; the tracking API's artifacts/list gives paths from the root", async () => {
    for (const path of ["plots/a.png", "plots/b.png", "notes.txt"]) {
      expect(
        (await mlflow.putArtifact(`${root}/${path}`, Buffer.from(path), "application/octet-stream")).status,
      ).toBe(200);
    }
    const list = await mlflow.call("GET", "artifacts/list", { run_id: runId, path: "plots" });
    expect(list.body?.root_uri).toBe(`mlflow-artifacts:/${root}`);
    expect(listOf(list.body?.files).map((f) => f?.path)).toEqual(["plots/a.png", "plots/b.png"]);
    expect((await mlflow.getArtifact(`${root}/plots/b.png`)).bytes.toString()).toBe("plots/b.png");
    const deleted = await fetch(`${server.url}/api/2.0/mlflow-artifacts/artifacts/${root}/plots`, {
      method: "DELETE",
      headers: { Authorization: `Bearer ${server.adminToken}` },
    });
    expect(deleted.status).toBe(200);
    const left = dataOf<{ path: string }[]>(await trpc("artifacts.list", { runId: labtrackId(runId) }));
    expect(left.map((a) => a.path)).toEqual(["notes.txt"]);
    const missing = await mlflow.getArtifact(`${root}/plots/a.png`);
    expect(missing.status).toBe(404);
    const wrongExperiment = await mlflow.putArtifact(
      `4242/${runId}/artifacts/x.txt`,
      Buffer.from("x"),
      "text/plain",
    );
    expect(wrongExperiment).toMatchObject({ status: 404, body: { error_code: "RESOURCE_DOES_NOT_EXIST" } });
    expect(await mlflow.listArtifacts("0")).toEqual({ status: 200, body: {} });
  });

  it("sets and deletes logged-model tags and params, deletes a model, and answers an unknown one with 404", async () => {
    const created = await mlflow.call("POST", "logged-models", {
      experiment_id: "0",
      name: "clf",
      source_run_id: runId,
    });
    const modelId = textOf(created.body?.model?.info?.model_id);
    const base = `logged-models/${modelId}`;
    const resent = await mlflow.call("POST", "logged-models", {
      experiment_id: "0",
      name: "clf",
      source_run_id: runId,
    });
    expect(resent.body?.model?.info?.model_id).toBe(modelId);
    await mlflow.call("PATCH", `${base}/tags`, { tags: [{ key: "stage", value: "candidate" }] });
    await mlflow.call("POST", `${base}/params`, {
      model_id: modelId,
      params: [{ key: "alpha", value: "0.5" }],
    });
    const got = await mlflow.call("GET", base);
    expect(listOf(got.body?.model?.info?.tags)).toEqual([{ key: "stage", value: "candidate" }]);
    expect(listOf(got.body?.model?.data?.params)).toEqual([{ key: "alpha", value: "0.5" }]);
    expect((await mlflow.call("DELETE", `${base}/tags/stage`)).status).toBe(200);
    expect(listOf((await mlflow.call("GET", base)).body?.model?.info?.tags)).toEqual([]);
    const failed = await mlflow.call("PATCH", base, {
      model_id: modelId,
      status: "LOGGED_MODEL_UPLOAD_FAILED",
    });
    expect(failed.body?.model?.info?.status).toBe("LOGGED_MODEL_UPLOAD_FAILED");
    const badStatus = await mlflow.call("PATCH", base, { model_id: modelId, status: "DONE" });
    expect(badStatus).toMatchObject({ status: 400, body: { error_code: "INVALID_PARAMETER_VALUE" } });
    expect((await mlflow.call("DELETE", base)).status).toBe(200);
    expect(await mlflow.call("GET", base)).toMatchObject({
      status: 404,
      body: { error_code: "RESOURCE_DOES_NOT_EXIST" },
    });
    expect(await mlflow.call("GET", "logged-models/m-unknown")).toMatchObject({ status: 404 });
    const noRun = await mlflow.call("POST", "logged-models", { experiment_id: "0", name: "orphan" });
    expect(noRun).toMatchObject({ status: 400, body: { message: expect.stringMatching(/^source_run_id:/) } });
  });

  it("keeps log-inputs datasets as the run's mlflow.inputs, once, and searches runs by them", async () => {
    const dataset = {
      name: "flowers",
      digest: "a1b2c3",
      source_type: "local",
      source: '{"uri": "/data/flowers"}',
    };
    const body = {
      run_id: runId,
      datasets: [{ tags: [{ key: "mlflow.data.context", value: "train" }], dataset }],
    };
    expect((await mlflow.call("POST", "runs/log-inputs", body)).status).toBe(200);
    expect((await mlflow.call("POST", "runs/log-inputs", body)).status).toBe(200);
    const run = await mlflow.call("GET", "runs/get", { run_id: runId });
    expect(run.body?.run?.inputs?.dataset_inputs).toEqual(body.datasets);
    const found = await mlflow.call("POST", "runs/search", {
      experiment_ids: ["0"],
      filter: "datasets.name = 'flowers' and datasets.context = 'train'",
    });
    expect(listOf(found.body?.runs).map((r) => r?.info?.run_id)).toEqual([runId]);
    const bad = await mlflow.call("POST", "runs/log-inputs", {
      run_id: runId,
      datasets: [{ dataset: { name: "x" } }],
    });
    expect(bad).toMatchObject({ status: 400, body: { error_code: "INVALID_PARAMETER_VALUE" } });
  });

  it("sets and deletes experiment tags; mlflow.note.content is the project's description", async () => {
    const id = textOf(
      (await mlflow.call("POST", "experiments/create", { name: "described" })).body?.experiment_id,
    );
    await mlflow.call("POST", "experiments/set-experiment-tag", {
      experiment_id: id,
      key: "mlflow.note.content",
      value: "Transfer learning",
    });
    const record = await server.services.projectRecords.byId(Number(id));
    expect(record).toMatchObject({
      description: "Transfer learning",
      tags: { "mlflow.note.content": "Transfer learning" },
    });
    await mlflow.call("POST", "experiments/delete-experiment-tag", {
      experiment_id: id,
      key: "mlflow.note.content",
    });
    expect(await server.services.projectRecords.byId(Number(id))).toMatchObject({
      description: null,
      tags: {},
    });
    const missing = await mlflow.call("POST", "experiments/delete-experiment-tag", {
      experiment_id: id,
      key: "nope",
    });
    expect(missing).toMatchObject({ status: 404, body: { error_code: "RESOURCE_DOES_NOT_EXIST" } });
  });
});
