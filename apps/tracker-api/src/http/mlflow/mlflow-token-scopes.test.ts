import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { listOf, mlflowPythonClient, textOf } from "../../test-support/mlflow-python-client.ts";
import { DB_KINDS, startTestServer, type TestServer } from "../../test-support/test-server.ts";

/** The MLflow API answers a project-limited token as tRPC does: experiments are projects. */
describe.each(DB_KINDS)("mlflow with project-limited tokens on %s", (kind) => {
  let server: TestServer;
  let open: string;
  let secret: string;
  let openRun: string;
  let secretRun: string;
  let reader: ReturnType<typeof mlflowPythonClient>;
  const T = 1_764_500_000_000;

  beforeAll(async () => {
    server = await startTestServer(kind);
    const admin = mlflowPythonClient(server.url, { token: server.adminToken });
    const experiment = async (name: string) =>
      textOf((await admin.call("POST", "experiments/create", { name })).body?.experiment_id);
    const run = async (experimentId: string) =>
      textOf(
        (await admin.call("POST", "runs/create", { experiment_id: experimentId, start_time: T })).body?.run
          ?.info?.run_id,
      );
    open = await experiment("open-models");
    secret = await experiment("secret-models");
    openRun = await run(open);
    secretRun = await run(secret);
    for (const [experimentId, runId] of [
      [open, openRun],
      [secret, secretRun],
    ] as const) {
      await admin.call("POST", "runs/log-metric", {
        run_id: runId,
        key: "loss",
        value: 1,
        timestamp: T,
        step: 0,
      });
      const put = await admin.putArtifact(
        `${experimentId}/${runId}/artifacts/report.html`,
        Buffer.from("<script>1</script>"),
        "text/html",
      );
      expect(put.status).toBe(200);
    }
    const limited = await server.services.tokens.create("open-reader", "user", [
      { project: "open-models", access: "read" },
    ]);
    reader = mlflowPythonClient(server.url, { token: limited.token });
  });
  afterAll(() => server.close());

  it("searches and reads only readable experiments' runs", async () => {
    const refused = await reader.call("POST", "runs/search", { experiment_ids: [open, secret] });
    expect(refused).toMatchObject({ status: 403, body: { error_code: "PERMISSION_DENIED" } });
    const found = await reader.call("POST", "runs/search", { experiment_ids: [open] });
    expect(found.status).toBe(200);
    expect(listOf(found.body?.runs).map((r) => r?.info?.run_id)).toEqual([openRun]);
    const history = await reader.call("GET", "metrics/get-history", {
      run_id: secretRun,
      metric_key: "loss",
    });
    expect(history).toMatchObject({ status: 403, body: { error_code: "PERMISSION_DENIED" } });
    expect(
      (await reader.call("GET", "metrics/get-history", { run_id: openRun, metric_key: "loss" })).status,
    ).toBe(200);
    expect((await reader.call("GET", "experiments/get", { experiment_id: secret })).status).toBe(403);
  });

  it("refuses writes to a project it may only read, and stores nothing", async () => {
    const batch = await reader.call("POST", "runs/log-batch", {
      run_id: openRun,
      metrics: [{ key: "loss", value: 9, timestamp: T, step: 1 }],
    });
    expect(batch).toMatchObject({ status: 403, body: { error_code: "PERMISSION_DENIED" } });
    const history = await reader.call("GET", "metrics/get-history", { run_id: openRun, metric_key: "loss" });
    expect(listOf(history.body?.metrics)).toHaveLength(1);
    const upload = await reader.putArtifact(
      `${open}/${openRun}/artifacts/x.txt`,
      Buffer.from("x"),
      "text/plain",
    );
    expect(upload.status).toBe(403);
  });

  it("serves artifacts of readable runs only, as sandboxed downloads", async () => {
    expect((await reader.getArtifact(`${secret}/${secretRun}/artifacts/report.html`)).status).toBe(403);
    const response = await fetch(
      `${server.url}/api/2.0/mlflow-artifacts/artifacts/${open}/${openRun}/artifacts/report.html`,
      {
        headers: { authorization: `Bearer ${server.adminToken}` },
      },
    );
    expect(response.status).toBe(200);
    expect(response.headers.get("x-content-type-options")).toBe("nosniff");
    expect(response.headers.get("content-disposition")).toBe('attachment; filename="report.html"');
    expect(response.headers.get("content-security-policy")).toBe("default-src 'none'; sandbox");
  });
});
