import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { listOf, mlflowPythonClient, textOf } from "../../test-support/mlflow-python-client.ts";
import {
  callProcedure,
  DB_KINDS,
  dataOf,
  startTestServer,
  type TestServer,
} from "../../test-support/test-server.ts";

type RunOut = {
  name: string;
  status: string;
  config: Record<string, unknown>;
  keyValueTags: Record<string, string>;
  notes: string | null;
  finishedAt: string | null;
};
type SeriesOut = { key: string; steps: number[]; values: unknown[]; times: number[] }[];

/**
 * The requests of
 *   mlflow.set_experiment("cats-mlflow")
 *   with mlflow.start_run():
 *       mlflow.log_params({"lr": 0.001, "epochs": 10})
 *       mlflow.log_metrics({"loss": 0.5, "accuracy": 0.81})            # step 0
 *       mlflow.log_metrics({"loss": 0.4, "accuracy": 0.86}, step=1)
 *       mlflow.log_artifact("confusion.png")
 * as MLflow 2.x's fluent API sends them (fluent.py, rest_store.py, http_artifact_repo.py).
 */
describe.each(DB_KINDS)("mlflow fluent API wire sequence on %s", (kind) => {
  let server: TestServer;
  const trpc = (procedure: string, input: unknown) =>
    callProcedure(server, server.adminToken, procedure, input, "query");

  beforeAll(async () => {
    server = await startTestServer(kind);
  });
  afterAll(() => server.close());

  it("creates the experiment and run, logs params, metrics and an artifact, and Labtrack shows them", async () => {
    const mlflow = mlflowPythonClient(server.url, { token: server.adminToken });
    const t0 = 1_764_000_000_000;

    const missing = await mlflow.call("GET", "experiments/get-by-name", { experiment_name: "cats-mlflow" });
    expect(missing.status).toBe(404);
    expect(missing.body?.error_code).toBe("RESOURCE_DOES_NOT_EXIST");
    const created = await mlflow.call("POST", "experiments/create", { name: "cats-mlflow" });
    expect(created.status).toBe(200);
    const experimentId = textOf(created.body?.experiment_id);
    const experiment = await mlflow.call("GET", "experiments/get", { experiment_id: experimentId });
    expect(experiment.body?.experiment?.name).toBe("cats-mlflow");
    expect(experiment.body?.experiment?.artifact_location).toBe(`mlflow-artifacts:/${experimentId}`);

    const run = await mlflow.call("POST", "runs/create", {
      experiment_id: experimentId,
      user_id: "ann",
      start_time: t0,
      tags: [
        { key: "mlflow.user", value: "ann" },
        { key: "mlflow.source.name", value: "/home/ann/train.py" },
        { key: "mlflow.source.type", value: "LOCAL" },
        { key: "mlflow.source.git.commit", value: "3f2a1c9" },
      ],
    });
    expect(run.status).toBe(200);
    const info = run.body?.run?.info;
    const runId = textOf(info?.run_id);
    expect(runId).toMatch(/^[0-9a-f]{32}$/);
    expect(info?.status).toBe("RUNNING");
    expect(info?.start_time).toBe(t0);
    expect(info?.artifact_uri).toBe(`mlflow-artifacts:/${experimentId}/${runId}/artifacts`);

    const params = await mlflow.call("POST", "runs/log-batch", {
      run_id: runId,
      params: [
        { key: "lr", value: "0.001" },
        { key: "epochs", value: "10" },
      ],
    });
    expect(params).toEqual({ status: 200, body: {} });
    const step0 = {
      run_id: runId,
      metrics: [
        { key: "loss", value: 0.5, timestamp: t0 + 1000, step: 0 },
        { key: "accuracy", value: 0.81, timestamp: t0 + 1000, step: 0 },
      ],
    };
    expect((await mlflow.call("POST", "runs/log-batch", step0)).status).toBe(200);
    // urllib3 retries a POST whose answer was lost: the same batch again stores nothing more.
    expect((await mlflow.call("POST", "runs/log-batch", step0)).status).toBe(200);
    const step1 = await mlflow.call("POST", "runs/log-batch", {
      run_id: runId,
      metrics: [
        { key: "loss", value: 0.4, timestamp: t0 + 2000, step: 1 },
        { key: "accuracy", value: 0.86, timestamp: t0 + 2000, step: 1 },
      ],
    });
    expect(step1.status).toBe(200);

    // log_artifact: get_run for the artifact URI, then a PUT to the proxied artifact store.
    const got = await mlflow.call("GET", "runs/get", { run_uuid: runId, run_id: runId });
    const artifactUri = textOf(got.body?.run?.info?.artifact_uri);
    const png = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 1, 2, 3]);
    const root = artifactUri.replace("mlflow-artifacts:/", "");
    expect(await mlflow.putArtifact(`${root}/confusion.png`, png, "image/png")).toEqual({
      status: 200,
      body: {},
    });

    const ended = await mlflow.call("POST", "runs/update", {
      run_uuid: runId,
      run_id: runId,
      status: "FINISHED",
      end_time: t0 + 5000,
    });
    expect(ended.body?.run_info?.status).toBe("FINISHED");
    expect(ended.body?.run_info?.end_time).toBe(t0 + 5000);

    // What MLflow reads back.
    const final = await mlflow.call("GET", "runs/get", { run_uuid: runId, run_id: runId });
    const data = final.body?.run?.data;
    expect(listOf(data?.params)).toEqual([
      { key: "epochs", value: "10" },
      { key: "lr", value: "0.001" },
    ]);
    expect(listOf(data?.metrics)).toEqual([
      { key: "accuracy", value: 0.86, timestamp: t0 + 2000, step: 1 },
      { key: "loss", value: 0.4, timestamp: t0 + 2000, step: 1 },
    ]);
    const history = await mlflow.call("GET", "metrics/get-history", { run_id: runId, metric_key: "loss" });
    expect(listOf(history.body?.metrics).map((m) => m?.value)).toEqual([0.5, 0.4]);

    // What Labtrack shows for it.
    const labtrackId = runId.replace(/^(.{8})(.{4})(.{4})(.{4})(.{12})$/, "$1-$2-$3-$4-$5");
    const shown = dataOf<RunOut>(await trpc("runs.get", { runId: labtrackId }));
    expect(shown.status).toBe("succeeded");
    expect(shown.config).toEqual({ lr: "0.001", epochs: "10" });
    expect(shown.keyValueTags).toMatchObject({
      "mlflow.user": "ann",
      "mlflow.source.name": "/home/ann/train.py",
      "mlflow.source.git.commit": "3f2a1c9",
    });
    expect(shown.finishedAt).toBe(new Date(t0 + 5000).toISOString());
    const series = dataOf<SeriesOut>(
      await trpc("metrics.series", { runIds: [labtrackId], keys: ["loss", "accuracy"] }),
    );
    expect(series.map((s) => [s.key, s.steps, s.values, s.times])).toEqual([
      ["loss", [0, 1], [0.5, 0.4], [t0 + 1000, t0 + 2000]],
      ["accuracy", [0, 1], [0.81, 0.86], [t0 + 1000, t0 + 2000]],
    ]);
    const artifacts = dataOf<{ path: string; size: number; kind: string; contentType: string }[]>(
      await trpc("artifacts.list", { runId: labtrackId }),
    );
    expect(artifacts).toEqual([
      expect.objectContaining({
        path: "confusion.png",
        size: png.length,
        kind: "file",
        contentType: "image/png",
      }),
    ]);
    const projects = dataOf<{ slug: string; name: string }[]>(await trpc("projects.list", undefined));
    expect(projects).toContainEqual(expect.objectContaining({ slug: "cats-mlflow", name: "cats-mlflow" }));
    expect(mlflow.sent[0]).toBe("GET /api/2.0/mlflow/experiments/get-by-name?experiment_name=cats-mlflow");
  });

  it("accepts Basic auth whose password is a Labtrack token, and refuses a bad token", async () => {
    const basic = mlflowPythonClient(server.url, { username: "ann", password: server.adminToken });
    expect((await basic.call("GET", "experiments/get", { experiment_id: "0" })).body?.experiment?.name).toBe(
      "Default",
    );
    const bad = mlflowPythonClient(server.url, { token: "not-a-token" });
    const refused = await bad.call("GET", "experiments/get", { experiment_id: "0" });
    expect(refused.status).toBe(401);
    expect(refused.body?.error_code).toBe("UNAUTHENTICATED");
  });
});
