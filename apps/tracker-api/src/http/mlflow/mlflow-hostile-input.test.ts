import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  listOf,
  type MlflowPythonClient,
  mlflowPythonClient,
  textOf,
  type WireBody,
} from "../../test-support/mlflow-python-client.ts";
import { DB_KINDS, startTestServer, type TestServer } from "../../test-support/test-server.ts";

/** Requests no MLflow client sends, but a hostile or broken one may: a 4xx naming the field, nothing stored. */
describe.each(DB_KINDS)("mlflow hostile input on %s", (kind) => {
  let server: TestServer;
  let mlflow: MlflowPythonClient;
  let runId: string;
  const T = 1_764_500_000_000;

  const runState = async (id: string) => {
    const run = (await mlflow.call("GET", "runs/get", { run_id: id })).body?.run;
    const history = await mlflow.call("GET", "metrics/get-history", { run_id: id, metric_key: "m" });
    return { data: run?.data, info: run?.info, history: history.body };
  };
  const runCount = async () =>
    (
      (await mlflow.call("POST", "runs/search", { experiment_ids: ["0"], run_view_type: "ALL" })).body
        ?.runs as unknown[] | undefined
    )?.length;
  /** A log-batch body sent as written (the Python client's json.dumps output, or one that is not JSON). */
  const postBatchText = (text: string) =>
    fetch(`${server.url}/api/2.0/mlflow/runs/log-batch`, {
      method: "POST",
      headers: { Authorization: `Bearer ${server.adminToken}`, "Content-Type": "application/json" },
      body: text,
    }).then(async (r) => ({ status: r.status, body: (await r.json()) as unknown }));
  const expectInvalid = async (answer: Promise<{ status: number; body: unknown }>, message: RegExp) => {
    const { status, body } = await answer;
    expect({ status, body }).toMatchObject({
      status: 400,
      body: { error_code: "INVALID_PARAMETER_VALUE", message: expect.stringMatching(message) },
    });
  };

  beforeAll(async () => {
    server = await startTestServer(kind);
    mlflow = mlflowPythonClient(server.url, { token: server.adminToken });
    const created = await mlflow.call("POST", "runs/create", { experiment_id: "0", start_time: T });
    runId = textOf(created.body?.run?.info?.run_id);
    await mlflow.call("POST", "runs/log-metric", {
      run_id: runId,
      key: "m",
      value: 1,
      timestamp: T,
      step: 0,
    });
  });
  afterAll(() => server.close());

  it("refuses int64 fields past int64's range and times no date holds, storing nothing", async () => {
    const before = await runState(runId);
    const runsBefore = await runCount();
    const metric = { run_id: runId, key: "m", value: 2, timestamp: T };
    await expectInvalid(
      mlflow.call("POST", "runs/log-metric", { ...metric, step: 2 ** 63 }),
      /invalid step 9223372036854776000 for metric 'm'/,
    );
    await expectInvalid(
      mlflow.call("POST", "runs/log-metric", { ...metric, timestamp: 1e20, step: 1 }),
      /invalid timestamp 100000000000000000000 for metric 'm'/,
    );
    await expectInvalid(
      mlflow.call("POST", "runs/log-batch", {
        run_id: runId,
        tags: [{ key: "after", value: "1" }],
        metrics: [{ key: "m", value: 3, timestamp: T, step: 2 ** 64 }],
      }),
      /invalid step .* for metric 'm'/,
    );
    for (const startTime of [1e20, 8.64e15 + 2, -1e15]) {
      await expectInvalid(
        mlflow.call("POST", "runs/create", { experiment_id: "0", start_time: startTime }),
        /parameter 'start_time'/,
      );
    }
    await expectInvalid(
      mlflow.call("POST", "runs/update", { run_id: runId, status: "FINISHED", end_time: 1e20 }),
      /parameter 'end_time'/,
    );
    expect(await runState(runId)).toEqual(before);
    expect(await runCount()).toBe(runsBefore);
    // The edges of the range are fine.
    const old = await mlflow.call("POST", "runs/create", {
      experiment_id: "0",
      start_time: -30_610_224_000_000,
    });
    expect(old.body?.run?.info?.start_time).toBe(-30_610_224_000_000);
    const far = await mlflow.call("POST", "runs/log-metric", { ...metric, step: 2 ** 62 });
    expect(far.status).toBe(200);
  });

  it("refuses deeply nested bodies naming where, instead of overflowing the stack", async () => {
    const before = await runState(runId);
    const depth = 100_000;
    await expectInvalid(
      postBatchText(`{"run_id":"${runId}","metrics":${"[".repeat(depth)}${"]".repeat(depth)}}`),
      /^metrics\[0\]\[0\].*: nested deeper than 32 levels$/,
    );
    await expectInvalid(
      postBatchText(
        `{"run_id":"${runId}","tags":[{"key":"a","value":${'{"v":'.repeat(depth)}1${"}".repeat(depth)}}]}`,
      ),
      /^tags\[0\]\.value\.v\.v.*: nested deeper than 32 levels$/,
    );
    const dataset = { name: "d", digest: "x", source_type: "local", source: "s" };
    let deep: object = { leaf: 1 };
    for (let i = 0; i < 40; i++) deep = { deeper: deep };
    await expectInvalid(
      mlflow.call("POST", "runs/log-inputs", {
        run_id: runId,
        datasets: [{ dataset: { ...dataset, deep } }],
      }),
      /^datasets\[0\]\.dataset\.deep\.deeper.*: nested deeper than 32 levels$/,
    );
    expect(await runState(runId)).toEqual(before);
  });

  it("answers model ids and tag keys in the path that are not text with a 400 naming them", async () => {
    const call = (method: string, path: string) =>
      fetch(`${server.url}/api/2.0/mlflow/${path}`, {
        method,
        headers: { Authorization: `Bearer ${server.adminToken}` },
      }).then(async (r) => ({ status: r.status, body: (await r.json()) as unknown }));
    await expectInvalid(call("GET", "logged-models/m-%ff"), /Invalid model_id in the path: 'm-%ff'/);
    await expectInvalid(call("GET", "logged-models/m-%00"), /^model_id: must not contain NUL/);
    await expectInvalid(call("DELETE", "logged-models/m-1/tags/%e0%a4"), /Invalid tag_key in the path/);
    // An endpoint that does not exist is still 404, whatever its path holds.
    expect(await call("PUT", "logged-models/m-%ff")).toMatchObject({
      status: 404,
      body: { error_code: "ENDPOINT_NOT_FOUND" },
    });
  });

  it("refuses to update a deleted run, as MLflow's stores do, changing nothing", async () => {
    const created = await mlflow.call("POST", "runs/create", { experiment_id: "0", run_name: "gone" });
    const gone = textOf(created.body?.run?.info?.run_id);
    await mlflow.call("POST", "runs/delete", { run_id: gone });
    const before = await runState(gone);
    for (const fields of [{ status: "FINISHED", end_time: T }, { run_name: "renamed" }]) {
      await expectInvalid(
        mlflow.call("POST", "runs/update", { run_id: gone, ...fields }),
        new RegExp(`^The run ${gone} must be in the 'active' state\\. Current state is deleted\\.$`),
      );
    }
    expect(await runState(gone)).toEqual(before);
    expect(before.info).toMatchObject({ status: "RUNNING", run_name: "gone", lifecycle_stage: "deleted" });
  });

  it("keeps params and tags named after Object.prototype's members like every other key", async () => {
    const created = await mlflow.call("POST", "runs/create", { experiment_id: "0", run_name: "protos" });
    const id = textOf(created.body?.run?.info?.run_id);
    const names = ["constructor", "__proto__", "toString", "hasOwnProperty"];
    const logged = await mlflow.call("POST", "runs/log-batch", {
      run_id: id,
      params: names.map((key) => ({ key, value: `p-${key}` })),
      tags: names.map((key) => ({ key, value: `t-${key}` })),
    });
    expect(logged).toMatchObject({ status: 200, body: {} });
    const again = await mlflow.call("POST", "runs/log-parameter", {
      run_id: id,
      key: "__proto__",
      value: "p-__proto__",
    });
    expect(again.status).toBe(200);
    await expectInvalid(
      mlflow.call("POST", "runs/log-parameter", { run_id: id, key: "constructor", value: "other" }),
      /Param with key='constructor' was already logged with value='p-constructor'/,
    );
    const data = (await mlflow.call("GET", "runs/get", { run_id: id })).body?.run?.data;
    const pairs = (list: WireBody) => listOf(list).map((kv) => [textOf(kv?.key), textOf(kv?.value)]);
    expect(pairs(data?.params)).toEqual(expect.arrayContaining(names.map((key) => [key, `p-${key}`])));
    expect(pairs(data?.tags)).toEqual(expect.arrayContaining(names.map((key) => [key, `t-${key}`])));
    const fresh = textOf(
      (await mlflow.call("POST", "runs/create", { experiment_id: "0" })).body?.run?.info?.run_id,
    );
    expect((await mlflow.call("POST", "runs/delete-tag", { run_id: fresh, key: "constructor" })).status).toBe(
      404,
    );
    const experiment = (await mlflow.call("POST", "experiments/create", { name: "protos" })).body
      ?.experiment_id;
    const untag = { experiment_id: textOf(experiment), key: "constructor" };
    expect((await mlflow.call("POST", "experiments/delete-experiment-tag", untag)).status).toBe(404);
  });

  it("holds run_name to Labtrack's 1 to 200 characters on create and update, as the mlflow.runName tag", async () => {
    const runsBefore = await runCount();
    const before = await runState(runId);
    const long = "r".repeat(201);
    await expectInvalid(
      mlflow.call("POST", "runs/create", { experiment_id: "0", run_name: long }),
      /^Value 'r+' for parameter 'run_name' must be 1 to 200 characters$/,
    );
    await expectInvalid(
      mlflow.call("POST", "runs/update", { run_id: runId, run_name: long }),
      /for parameter 'run_name' must be 1 to 200 characters$/,
    );
    expect(await runCount()).toBe(runsBefore);
    expect(await runState(runId)).toEqual(before);
    const named = await mlflow.call("POST", "runs/create", { experiment_id: "0", run_name: "r".repeat(200) });
    expect(named.body?.run?.info?.run_name).toBe("r".repeat(200));
  });

  it("refuses a runs/log-model model_json that is not an object, hides NUL or nests too deep", async () => {
    const before = await runState(runId);
    const logModel = (modelJson: string) =>
      mlflow.call("POST", "runs/log-model", { run_id: runId, model_json: modelJson });
    for (const json of ["null", "[1]", "5"]) {
      await expectInvalid(logModel(json), /^model_json: must be a JSON object/);
    }
    await expectInvalid(
      logModel('{"artifact_path":"model","x":"a\\u0000b"}'),
      /^model_json\.x: must not contain NUL/,
    );
    const deep = `{"artifact_path":"model","a":${'{"a":'.repeat(10_000)}1${"}".repeat(10_000)}}`;
    await expectInvalid(logModel(deep), /^model_json\.a\.a.*: nested deeper than 32 levels$/);
    expect(await runState(runId)).toEqual(before);
  });

  it("refuses runs and tags in a deleted experiment with MLflow's INVALID_PARAMETER_VALUE", async () => {
    const id = textOf(
      (await mlflow.call("POST", "experiments/create", { name: "shelved" })).body?.experiment_id,
    );
    await mlflow.call("POST", "experiments/delete", { experiment_id: id });
    const inactive = new RegExp(
      `^The experiment ${id} must be in the 'active' state\\. Current state is deleted\\.$`,
    );
    await expectInvalid(mlflow.call("POST", "runs/create", { experiment_id: id }), inactive);
    await expectInvalid(
      mlflow.call("POST", "experiments/set-experiment-tag", { experiment_id: id, key: "k", value: "v" }),
      inactive,
    );
    const runs = await mlflow.call("POST", "runs/search", { experiment_ids: [id], run_view_type: "ALL" });
    expect(listOf(runs.body?.runs)).toEqual([]);
    const experiment = await mlflow.call("GET", "experiments/get", { experiment_id: id });
    expect(listOf(experiment.body?.experiment?.tags)).toEqual([]);
  });

  it("reads the bare NaN and Infinity of Python's json.dumps as MLflow's server does", async () => {
    const created = await mlflow.call("POST", "runs/create", { experiment_id: "0", run_name: "bare" });
    const id = textOf(created.body?.run?.info?.run_id);
    const metric = (value: string, step: number) =>
      `{"key": "m", "value": ${value}, "timestamp": ${T}, "step": ${step}}`;
    const batch = `{"run_id": "${id}", "metrics": [${metric("NaN", 0)}, ${metric("Infinity", 1)}, ${metric("-Infinity", 2)}], "tags": [{"key": "note", "value": "NaN, Infinity"}]}`;
    expect(await postBatchText(batch)).toEqual({ status: 200, body: {} });
    const history = await mlflow.call("GET", "metrics/get-history", { run_id: id, metric_key: "m" });
    expect(listOf(history.body?.metrics).map((m) => m?.value)).toEqual(["NaN", "Infinity", "-Infinity"]);
    const run = (await mlflow.call("GET", "runs/get", { run_id: id })).body?.run;
    expect(listOf(run?.data?.tags).find((t) => textOf(t?.key) === "note")?.value).toBe("NaN, Infinity");
    // Other bare words are still not JSON.
    expect(await postBatchText(`{"run_id": "${id}", "metrics": [${metric("NaNa", 3)}]}`)).toMatchObject({
      status: 400,
      body: { error_code: "BAD_REQUEST" },
    });
  });

  it("closes the connection after refusing a body over the limit unread, so no next request is lost", async () => {
    const answer = await fetch(`${server.url}/api/2.0/mlflow/runs/set-tag`, {
      method: "POST",
      headers: { Authorization: `Bearer ${server.adminToken}`, "Content-Type": "application/json" },
      body: JSON.stringify({ run_id: runId, key: "huge", value: "y".repeat(20_000_000) }),
    });
    expect(answer.status).toBe(400);
    expect(answer.headers.get("connection")).toBe("close");
    expect(await answer.json()).toMatchObject({ error_code: "INVALID_PARAMETER_VALUE" });
    expect((await mlflow.call("GET", "runs/get", { run_id: runId })).status).toBe(200);
  });
});
