import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  listOf,
  type MlflowPythonClient,
  mlflowPythonClient,
  textOf,
} from "../../test-support/mlflow-python-client.ts";
import { DB_KINDS, startTestServer, type TestServer } from "../../test-support/test-server.ts";

/** Bad MLflow requests get MLflow's error shape and status, and change nothing stored. */
describe.each(DB_KINDS)("mlflow bad input on %s", (kind) => {
  let server: TestServer;
  let mlflow: MlflowPythonClient;
  let runId: string;
  const T = 1_764_500_000_000;

  const snapshot = async () => {
    const run = (await mlflow.call("GET", "runs/get", { run_id: runId })).body?.run;
    const history = await mlflow.call("GET", "metrics/get-history", { run_id: runId, metric_key: "loss" });
    return { data: run?.data, info: run?.info, history: history.body };
  };
  const expectError = async (
    answer: Promise<{ status: number; body: unknown }>,
    status: number,
    code: string,
    message: RegExp,
  ) => {
    const { status: got, body } = await answer;
    expect({ got, body }).toMatchObject({
      got: status,
      body: { error_code: code, message: expect.stringMatching(message) },
    });
    expect(Object.keys(body as object).sort()).toEqual(["error_code", "message"]);
  };

  beforeAll(async () => {
    server = await startTestServer(kind);
    mlflow = mlflowPythonClient(server.url, { token: server.adminToken });
    const created = await mlflow.call("POST", "runs/create", { experiment_id: "0", start_time: T });
    runId = textOf(created.body?.run?.info?.run_id);
    await mlflow.call("POST", "runs/log-batch", {
      run_id: runId,
      params: [{ key: "lr", value: "0.1" }],
      tags: [{ key: "stage", value: "a" }],
      metrics: [{ key: "loss", value: 1, timestamp: T, step: 0 }],
    });
  });
  afterAll(() => server.close());

  it("refuses batches over MLflow's limits, naming them, and stores nothing of them", async () => {
    const before = await snapshot();
    const metric = (i: number) => ({ key: "loss", value: i, timestamp: T + i, step: i + 1 });
    const batch = (fields: object) => mlflow.call("POST", "runs/log-batch", { run_id: runId, ...fields });
    await expectError(
      batch({ metrics: Array.from({ length: 1001 }, (_, i) => metric(i)) }),
      400,
      "INVALID_PARAMETER_VALUE",
      /at most 1000 metrics\. Got 1001 metrics/,
    );
    await expectError(
      batch({ params: Array.from({ length: 101 }, (_, i) => ({ key: `p${i}`, value: "1" })) }),
      400,
      "INVALID_PARAMETER_VALUE",
      /at most 100 params\. Got 101 params/,
    );
    await expectError(
      batch({ tags: Array.from({ length: 101 }, (_, i) => ({ key: `t${i}`, value: "1" })) }),
      400,
      "INVALID_PARAMETER_VALUE",
      /at most 100 tags/,
    );
    await expectError(
      batch({
        metrics: Array.from({ length: 900 }, (_, i) => metric(i)),
        params: Array.from({ length: 60 }, (_, i) => ({ key: `p${i}`, value: "1" })),
        tags: Array.from({ length: 50 }, (_, i) => ({ key: `t${i}`, value: "1" })),
      }),
      400,
      "INVALID_PARAMETER_VALUE",
      /at most 1000 metrics, params, and tags\. Got 1010/,
    );
    await expectError(
      batch({
        params: Array.from({ length: 100 }, (_, i) => ({ key: `p${i}`, value: "x".repeat(6000) })),
        tags: Array.from({ length: 100 }, (_, i) => ({ key: `t${i}`, value: "y".repeat(5000) })),
      }),
      400,
      "INVALID_PARAMETER_VALUE",
      /must be at most 1000000 bytes, got a request of size \d+/,
    );
    expect(await snapshot()).toEqual(before);
  });

  it("refuses bad metrics, params and tags with MLflow's messages, storing nothing of the batch", async () => {
    const before = await snapshot();
    const good = { key: "loss", value: 0.5, timestamp: T + 50, step: 50 };
    const batch = (fields: object) =>
      mlflow.call("POST", "runs/log-batch", { run_id: runId, metrics: [good], ...fields });
    await expectError(
      batch({ metrics: [good, { key: "acc", value: "high", timestamp: T, step: 0 }] }),
      400,
      "INVALID_PARAMETER_VALUE",
      /Got invalid value "high" for metric 'acc'/,
    );
    await expectError(
      batch({ metrics: [good, { key: "acc", value: 1, timestamp: -5, step: 0 }] }),
      400,
      "INVALID_PARAMETER_VALUE",
      /Got invalid timestamp -5/,
    );
    await expectError(
      batch({ metrics: [good, { key: "../acc", value: 1, timestamp: T, step: 0 }] }),
      400,
      "INVALID_PARAMETER_VALUE",
      /Invalid metric name: '\.\.\/acc'/,
    );
    await expectError(
      batch({ params: [{ key: "lr", value: "0.2" }] }),
      400,
      "INVALID_PARAMETER_VALUE",
      /Changing param values is not allowed\. Param with key='lr' was already logged with value='0\.1'/,
    );
    await expectError(
      batch({
        params: [
          { key: "a", value: "1" },
          { key: "a", value: "2" },
        ],
      }),
      400,
      "INVALID_PARAMETER_VALUE",
      /Duplicate parameter keys have been submitted: \['a'\]/,
    );
    await expectError(
      batch({ tags: [{ key: "bad*tag", value: "x" }] }),
      400,
      "INVALID_PARAMETER_VALUE",
      /Invalid tag name: 'bad\*tag'/,
    );
    await expectError(
      batch({ params: [{ key: "big", value: "v".repeat(6001) }] }),
      400,
      "INVALID_PARAMETER_VALUE",
      /Param value .* had length 6001, which exceeded length limit of 6000/,
    );
    await expectError(
      batch({ tags: [{ key: "note", value: "a\u0000b" }] }),
      400,
      "INVALID_PARAMETER_VALUE",
      /^tags\[0\]\.value: .*NUL/,
    );
    await expectError(
      mlflow.call("POST", "experiments/create", { name: "bad\ud800name" }),
      400,
      "INVALID_PARAMETER_VALUE",
      /^name: .*surrogate/,
    );
    await expectError(
      batch({ metrics: "loss" }),
      400,
      "INVALID_PARAMETER_VALUE",
      /Invalid value loss for parameter 'metrics'/,
    );
    expect(await snapshot()).toEqual(before);
    // The same value again is no conflict (MLflow allows it).
    expect(
      (await mlflow.call("POST", "runs/log-parameter", { run_id: runId, key: "lr", value: "0.1" })).status,
    ).toBe(200);
  });

  it("answers unknown and malformed ids, endpoints and bodies with MLflow's codes", async () => {
    await expectError(
      mlflow.call("GET", "runs/get", { run_id: "not-a-run" }),
      400,
      "INVALID_PARAMETER_VALUE",
      /Invalid run ID: 'not-a-run'/,
    );
    await expectError(
      mlflow.call("GET", "runs/get", { run_id: "0".repeat(32) }),
      404,
      "RESOURCE_DOES_NOT_EXIST",
      /Run with id=0{32} not found/,
    );
    await expectError(
      mlflow.call("GET", "runs/get", {}),
      400,
      "INVALID_PARAMETER_VALUE",
      /Missing value for required parameter 'run_id'/,
    );
    await expectError(
      mlflow.call("GET", "experiments/get", { experiment_id: "4242" }),
      404,
      "RESOURCE_DOES_NOT_EXIST",
      /No Experiment with id=4242 exists/,
    );
    await expectError(
      mlflow.call("GET", "experiments/get", { experiment_id: "abc" }),
      400,
      "INVALID_PARAMETER_VALUE",
      /Invalid experiment ID/,
    );
    await expectError(
      mlflow.call("GET", "experiments/get-by-name", {}),
      400,
      "INVALID_PARAMETER_VALUE",
      /Missing value for required parameter 'experiment_name'/,
    );
    await expectError(
      mlflow.call("POST", "experiments/create", { name: "" }),
      400,
      "INVALID_PARAMETER_VALUE",
      /Invalid experiment name/,
    );
    await expectError(
      mlflow.call("POST", "runs/update", { run_id: runId, status: "DONE" }),
      400,
      "INVALID_PARAMETER_VALUE",
      /status/,
    );
    await expectError(
      mlflow.call("POST", "runs/nope", {}),
      404,
      "ENDPOINT_NOT_FOUND",
      /No endpoint POST \/api\/2\.0\/mlflow\/runs\/nope/,
    );
    await expectError(
      mlflow.call("POST", "runs/search", { experiment_ids: ["0"], filter: "metrics.loss >> 1" }),
      400,
      "INVALID_PARAMETER_VALUE",
      /Invalid comparator/,
    );
    await expectError(
      mlflow.call("POST", "runs/search", { experiment_ids: ["0"], page_token: "%%%" }),
      400,
      "INVALID_PARAMETER_VALUE",
      /Invalid page token/,
    );
    const malformed = await fetch(`${server.url}/api/2.0/mlflow/runs/log-batch`, {
      method: "POST",
      headers: { Authorization: `Bearer ${server.adminToken}`, "Content-Type": "application/json" },
      body: "{not json",
    });
    expect(malformed.status).toBe(400);
    expect(await malformed.json()).toEqual({
      error_code: "BAD_REQUEST",
      message: "The request body is not valid JSON.",
    });
  });

  it("keeps deleted runs from being written, and restores them", async () => {
    const created = await mlflow.call("POST", "runs/create", { experiment_id: "0" });
    const other = textOf(created.body?.run?.info?.run_id);
    expect((await mlflow.call("POST", "runs/delete", { run_id: other })).body).toEqual({});
    await expectError(
      mlflow.call("POST", "runs/log-metric", { run_id: other, key: "x", value: 1, timestamp: T }),
      400,
      "INVALID_PARAMETER_VALUE",
      /must be in the 'active' state/,
    );
    const active = await mlflow.call("POST", "runs/search", { experiment_ids: ["0"] });
    expect(listOf(active.body?.runs).map((r) => r?.info?.run_id)).not.toContain(other);
    const deleted = await mlflow.call("POST", "runs/search", {
      experiment_ids: ["0"],
      run_view_type: "DELETED_ONLY",
    });
    expect(listOf(deleted.body?.runs).map((r) => r?.info?.lifecycle_stage)).toEqual(["deleted"]);
    await mlflow.call("POST", "runs/restore", { run_id: other });
    expect((await mlflow.call("GET", "runs/get", { run_id: other })).body?.run?.info?.lifecycle_stage).toBe(
      "active",
    );
  });

  it("holds project-limited tokens to their projects: 403 PERMISSION_DENIED, and nothing is made", async () => {
    const admin = mlflowPythonClient(server.url, { token: server.adminToken });
    const open = textOf(
      (await admin.call("POST", "experiments/create", { name: "open" })).body?.experiment_id,
    );
    const secret = textOf(
      (await admin.call("POST", "experiments/create", { name: "secret" })).body?.experiment_id,
    );
    const secretRun = textOf(
      (await admin.call("POST", "runs/create", { experiment_id: secret })).body?.run?.info?.run_id,
    );
    const limited = await server.services.tokens.create("ci", "user", [{ project: "open", access: "write" }]);
    const ci = mlflowPythonClient(server.url, { token: limited.token });
    const created = await ci.call("POST", "runs/create", { experiment_id: open });
    expect(created.status).toBe(200);
    await expectError(
      ci.call("GET", "runs/get", { run_id: secretRun }),
      403,
      "PERMISSION_DENIED",
      /run_id: run .* may not read/,
    );
    await expectError(
      ci.call("POST", "runs/create", { experiment_id: secret }),
      403,
      "PERMISSION_DENIED",
      /experiment_id/,
    );
    await expectError(
      ci.putArtifact(`${secret}/${secretRun}/artifacts/x.txt`, Buffer.from("x"), "text/plain"),
      403,
      "PERMISSION_DENIED",
      /path/,
    );
    await expectError(
      ci.call("POST", "experiments/create", { name: "elsewhere" }),
      403,
      "PERMISSION_DENIED",
      /name/,
    );
    expect(
      (await admin.call("GET", "experiments/get-by-name", { experiment_name: "elsewhere" })).status,
    ).toBe(404);
    const visible = await ci.call("POST", "experiments/search", { max_results: 100 });
    expect(listOf(visible.body?.experiments).map((e) => e?.name)).toEqual(["open"]);
  });
});
