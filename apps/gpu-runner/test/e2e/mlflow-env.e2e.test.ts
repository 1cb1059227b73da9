import { fileURLToPath } from "node:url";
import { DB_KINDS, dataOf, type TestServer } from "@labtrack/tracker-api/test-support";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  api,
  type RunnerProcess,
  runnerToken,
  spawnRunner,
  startFastServer,
  stopRunner,
  waitFor,
} from "./harness.ts";

const SCRIPT = fileURLToPath(new URL("./scripts/log_with_mlflow.py", import.meta.url));

describe.each(DB_KINDS)("a queued command run's MLflow client logs into that run, on %s", (kind) => {
  let server: TestServer;
  let runner: RunnerProcess;

  beforeAll(async () => {
    server = await startFastServer(kind);
    runner = spawnRunner(server.url, await runnerToken(server), `mlflow-env-${kind}`, {
      LABTRACK_RUNNER_QUEUES: "mlflow-env",
      // The runner's own MLflow settings must not leak into the run.
      MLFLOW_TRACKING_URI: "http://127.0.0.1:9/elsewhere",
      MLFLOW_TRACKING_USERNAME: "someone-else",
    });
  }, 60_000);
  afterAll(async () => {
    await stopRunner(runner, "SIGKILL");
    await server.close();
  }, 60_000);

  it("params become config and metrics its points; the status stays the runner's, from the exit code", async () => {
    const client = api(server);
    const queued = await client.enqueue({
      queue: "mlflow-env",
      spec: { kind: "command", command: ["python3", SCRIPT] },
    });
    await waitFor("the run to succeed", async () => (await client.run(queued.id)).status === "succeeded");
    const run = dataOf<{ config: Record<string, unknown>; runner: string }>(
      await client.call("runs.get", { runId: queued.id }, "query"),
    );
    expect(run).toMatchObject({ config: { lr: "0.001" }, runner: `mlflow-env-${kind}` });
    const [loss] = dataOf<{ steps: number[]; values: number[] }[]>(
      await client.call("metrics.series", { runIds: [queued.id], keys: ["loss"] }, "query"),
    );
    expect(loss).toMatchObject({ steps: [0, 1, 2], values: [0.9, 0.5, 0.25] });
    const lines = (await client.logs(queued.id)).map((l) => l.text);
    expect(lines).toContain(`attached to ${queued.id.replaceAll("-", "")}`);
    const events = await client.events(queued.id);
    expect(events.at(-1)).toMatchObject({ to: "succeeded", actor: `runner:mlflow-env-${kind}` });
  }, 90_000);
});
