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

type ArtifactOut = { path: string; kind: string; size: number; metadata: Record<string, unknown> };
type SeriesOut = { key: string; steps: number[]; values: unknown[] }[];
const labtrackId = (id: string) => id.replace(/^(.{8})(.{4})(.{4})(.{4})(.{12})$/, "$1-$2-$3-$4-$5");

const MODEL_FILES: [string, string, string][] = [
  ["MLmodel", "text/plain", "artifact_path: model\nflavors:\n  keras: {}\n"],
  ["conda.yaml", "application/x-yaml", "name: mlflow-env\n"],
  ["requirements.txt", "text/plain", "tensorflow==2.16.1\n"],
  ["data/model.keras", "application/octet-stream", "PK\u0003\u0004keras-weights"],
];

/** What mlflow.keras.autolog() sends up to the model: the run, fit params, the summary, per-epoch metrics. */
async function autologFit(mlflow: MlflowPythonClient, t0: number) {
  const created = await mlflow.call("POST", "runs/create", {
    experiment_id: "0",
    user_id: "ann",
    start_time: t0,
    tags: [
      { key: "mlflow.user", value: "ann" },
      { key: "mlflow.source.name", value: "fit.py" },
      { key: "mlflow.source.type", value: "LOCAL" },
      { key: "mlflow.autologging", value: "tensorflow" },
    ],
  });
  const runId = textOf(created.body?.run?.info?.run_id);
  const root = textOf(created.body?.run?.info?.artifact_uri).replace("mlflow-artifacts:/", "");
  const params = await mlflow.call("POST", "runs/log-batch", {
    run_id: runId,
    params: [
      { key: "batch_size", value: "32" },
      { key: "epochs", value: "2" },
      { key: "opt_name", value: "adam" },
      { key: "opt_learning_rate", value: "0.0010000000474974513" },
    ],
  });
  expect(params.status).toBe(200);
  expect((await mlflow.call("GET", "runs/get", { run_uuid: runId, run_id: runId })).status).toBe(200);
  const summary = await mlflow.putArtifact(
    `${root}/model_summary.txt`,
    Buffer.from("Model: sequential\n"),
    "text/plain",
  );
  expect(summary.status).toBe(200);
  for (const epoch of [0, 1]) {
    const batch = await mlflow.call("POST", "runs/log-batch", {
      run_id: runId,
      metrics: ["loss", "accuracy", "val_loss", "val_accuracy"].map((key, i) => ({
        key,
        value: 0.5 + i / 10 - epoch / 10,
        timestamp: t0 + 1000 * (epoch + 1),
        step: epoch,
      })),
    });
    expect(batch.status).toBe(200);
  }
  return { runId, root };
}

describe.each(DB_KINDS)("mlflow.keras.autolog wire sequences on %s", (kind) => {
  let server: TestServer;
  const trpc = (procedure: string, input: unknown) =>
    callProcedure(server, server.adminToken, procedure, input, "query");

  beforeAll(async () => {
    server = await startTestServer(kind);
  });
  afterAll(() => server.close());

  it("MLflow 2: params, per-epoch metrics and the model's files, declared by runs/log-model", async () => {
    const mlflow = mlflowPythonClient(server.url, { token: server.adminToken });
    const t0 = 1_764_300_000_000;
    const { runId, root } = await autologFit(mlflow, t0);
    for (const [file, type, text] of MODEL_FILES) {
      expect((await mlflow.putArtifact(`${root}/model/${file}`, Buffer.from(text), type)).status).toBe(200);
    }
    const modelJson = JSON.stringify({
      artifact_path: "model",
      flavors: { keras: { keras_version: "3.3.3" } },
      run_id: runId,
      utc_time_created: "2025-11-24 12:00:00.000000",
    });
    expect(
      (await mlflow.call("POST", "runs/log-model", { run_id: runId, model_json: modelJson })).status,
    ).toBe(200);
    expect(
      (
        await mlflow.call("POST", "runs/update", {
          run_uuid: runId,
          run_id: runId,
          status: "FINISHED",
          end_time: t0 + 9000,
        })
      ).status,
    ).toBe(200);

    const listing = await mlflow.listArtifacts(`${root}/model`);
    expect(listOf(listing.body?.files)).toEqual([
      { path: "MLmodel", is_dir: false, file_size: MODEL_FILES[0]![2].length },
      { path: "conda.yaml", is_dir: false, file_size: MODEL_FILES[1]![2].length },
      { path: "data", is_dir: true },
      { path: "requirements.txt", is_dir: false, file_size: MODEL_FILES[2]![2].length },
    ]);
    const weights = await mlflow.getArtifact(`${root}/model/data/model.keras`);
    expect(weights.bytes.toString()).toBe(MODEL_FILES[3]![2]);

    const id = labtrackId(runId);
    const run = dataOf<{ status: string; config: unknown; keyValueTags: Record<string, string> }>(
      await trpc("runs.get", { runId: id }),
    );
    expect(run.status).toBe("succeeded");
    expect(run.config).toEqual({
      batch_size: "32",
      epochs: "2",
      opt_name: "adam",
      opt_learning_rate: "0.0010000000474974513",
    });
    expect(JSON.parse(run.keyValueTags["mlflow.log-model.history"] ?? "[]")).toEqual([JSON.parse(modelJson)]);
    const series = dataOf<SeriesOut>(
      await trpc("metrics.series", { runIds: [id], keys: ["loss", "val_accuracy"] }),
    );
    expect(series.map((s) => [s.key, s.steps, s.values])).toEqual([
      ["loss", [0, 1], [0.5, 0.4]],
      ["val_accuracy", [0, 1], [0.8, 0.7000000000000001]],
    ]);
    const artifacts = dataOf<ArtifactOut[]>(await trpc("artifacts.list", { runId: id }));
    expect(artifacts.map((a) => [a.path, a.kind]).sort()).toEqual([
      ["model/MLmodel", "model"],
      ["model/conda.yaml", "model"],
      ["model/data/model.keras", "model"],
      ["model/requirements.txt", "model"],
      ["model_summary.txt", "file"],
    ]);
  });

  it("MLflow 3: log_model through logged-models, runs/outputs, the model's artifact location and finalize", async () => {
    const mlflow = mlflowPythonClient(server.url, { token: server.adminToken }, "mlflow-python-client/3.1.0");
    const t0 = 1_764_400_000_000;
    const { runId } = await autologFit(mlflow, t0);
    // Model.log: the run's params become the model's, then the model is created pending.
    const params = listOf(
      (await mlflow.call("GET", "runs/get", { run_uuid: runId, run_id: runId })).body?.run?.data?.params,
    );
    const createdModel = await mlflow.call("POST", "logged-models", {
      experiment_id: "0",
      name: "model",
      source_run_id: runId,
      params,
      tags: [{ key: "mlflow.user", value: "ann" }],
    });
    expect(createdModel.status).toBe(200);
    const info = createdModel.body?.model?.info;
    const modelId = textOf(info?.model_id);
    expect(info?.status).toBe("LOGGED_MODEL_PENDING");
    expect(info?.source_run_id).toBe(runId);
    expect(info?.artifact_uri).toBe(`mlflow-artifacts:/0/models/${modelId}/artifacts`);
    expect(
      (await mlflow.call("POST", "runs/outputs", { run_id: runId, models: [{ model_id: modelId, step: 0 }] }))
        .status,
    ).toBe(200);
    // log_model_metrics_for_step: the run's metrics at that step again, now with model_id (nothing new).
    const atStep = ["loss", "accuracy", "val_loss", "val_accuracy"].map((key, i) => ({
      key,
      value: 0.5 + i / 10,
      timestamp: t0 + 1000,
      step: 0,
      model_id: modelId,
      run_id: runId,
    }));
    expect((await mlflow.call("POST", "runs/log-batch", { run_id: runId, metrics: atStep })).status).toBe(
      200,
    );
    const location = textOf(info?.artifact_uri).replace("mlflow-artifacts:/", "");
    for (const [file, type, text] of MODEL_FILES) {
      expect((await mlflow.putArtifact(`${location}/${file}`, Buffer.from(text), type)).status).toBe(200);
    }
    const finalized = await mlflow.call("PATCH", `logged-models/${modelId}`, {
      model_id: modelId,
      status: "LOGGED_MODEL_READY",
    });
    expect(finalized.body?.model?.info?.status).toBe("LOGGED_MODEL_READY");
    const readBack = await mlflow.call("GET", `logged-models/${modelId}`);
    expect(readBack.body?.model?.info?.name).toBe("model");
    expect(listOf(readBack.body?.model?.data?.params)).toContainEqual({ key: "epochs", value: "2" });
    expect(listOf((await mlflow.listArtifacts(location)).body?.files).map((f) => f?.path)).toEqual([
      "MLmodel",
      "conda.yaml",
      "data",
      "requirements.txt",
    ]);
    const run = await mlflow.call("GET", "runs/get", { run_uuid: runId, run_id: runId });
    expect(run.body?.run?.outputs?.model_outputs).toEqual([{ model_id: modelId, step: 0 }]);
    const searched = await mlflow.call("POST", "logged-models/search", { experiment_ids: ["0"] });
    expect(listOf(searched.body?.models).map((m) => m?.info?.model_id)).toContain(modelId);

    const id = labtrackId(runId);
    const artifacts = dataOf<ArtifactOut[]>(
      await trpc("artifacts.list", { runId: id, prefix: `models/${modelId}/` }),
    );
    expect(artifacts.map((a) => [a.path.slice(`models/${modelId}/`.length), a.kind]).sort()).toEqual([
      ["MLmodel", "model"],
      ["conda.yaml", "model"],
      ["data/model.keras", "model"],
      ["logged-model.json", "model"],
      ["requirements.txt", "model"],
    ]);
    const record = artifacts.find((a) => a.path.endsWith("logged-model.json"));
    expect(record?.metadata.mlflowLoggedModel).toMatchObject({
      model_id: modelId,
      status: "LOGGED_MODEL_READY",
    });
    const series = dataOf<SeriesOut>(await trpc("metrics.series", { runIds: [id], keys: ["loss"] }));
    expect(series[0]?.steps).toEqual([0, 1]);
  });
});
