import { mkdtempSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
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

const SCRIPTS = fileURLToPath(new URL("./scripts/", import.meta.url));
/** The stdlib TensorBoard writer the sdk's fixtures are made with. */
const TFEVENTS_PY = fileURLToPath(
  new URL("../../../../packages/sdk/src/logfiles/fixtures/", import.meta.url),
);

type Series = { key: string; steps: number[]; values: (number | string)[] };

describe.each(DB_KINDS)("a command run's log files become its metrics while it runs, on %s", (kind) => {
  let server: TestServer;
  let runner: RunnerProcess;
  const scratch = mkdtempSync(path.join(os.tmpdir(), "labtrack-capture-"));

  beforeAll(async () => {
    server = await startFastServer(kind);
    runner = spawnRunner(server.url, await runnerToken(server), `capture-${kind}`, {
      LABTRACK_RUNNER_QUEUES: "capture",
    });
  }, 60_000);
  afterAll(async () => {
    await stopRunner(runner, "SIGKILL");
    await server.close();
  }, 60_000);

  const series = async (runId: string, keys: string[]) =>
    dataOf<Series[]>(await api(server).call("metrics.series", { runIds: [runId], keys }, "query"));
  const stepsOf = async (runId: string, key: string) => (await series(runId, [key]))[0]?.steps ?? [];

  it("streams TensorBoard event files (Keras train/ and validation/) and hands the run its MLflow env", async () => {
    const client = api(server);
    const gate = path.join(scratch, "tb-go");
    const queued = await client.enqueue({
      queue: "capture",
      spec: {
        kind: "command",
        command: ["python3", path.join(SCRIPTS, "write_tensorboard.py"), gate],
        env: { PYTHONPATH: TFEVENTS_PY },
      },
    });
    for (let epoch = 0; epoch < 3; epoch++) {
      writeFileSync(`${gate}.${epoch}`, "");
      await waitFor(`epoch ${epoch} on the server`, async () => {
        const steps = await stepsOf(queued.id, "logs/fit/validation/epoch_accuracy");
        return steps.length === epoch + 1;
      });
      // Seen while the script still runs (it waits for the next gate), not after it ends.
      if (epoch < 2) expect((await client.run(queued.id)).status).toBe("running");
    }
    await waitFor("the run to succeed", async () => (await client.run(queued.id)).status === "succeeded");
    const all = await series(queued.id, [
      "logs/fit/train/epoch_loss",
      "logs/fit/validation/epoch_loss",
      "logs/fit/train/epoch_accuracy",
    ]);
    expect(all.map((s) => [s.key, s.steps])).toEqual([
      ["logs/fit/train/epoch_loss", [0, 1, 2]],
      ["logs/fit/validation/epoch_loss", [0, 1, 2]],
      ["logs/fit/train/epoch_accuracy", [0, 1, 2]],
    ]);
    expect(all[0]?.values).toEqual([Math.fround(1), Math.fround(1 / 2), Math.fround(1 / 3)]);
    const projectId = await server.services.projects.findId("e2e");
    const lines = (await client.logs(queued.id)).map((l) => l.text);
    expect(lines).toContain(`env MLFLOW_TRACKING_URI='${server.url}'`);
    expect(lines).toContain(`env MLFLOW_RUN_ID='${queued.id.replaceAll("-", "")}'`);
    expect(lines).toContain(`env MLFLOW_EXPERIMENT_ID='${projectId}'`);
    expect(lines.some((l) => /^env MLFLOW_TRACKING_TOKEN='.+'$/.test(l))).toBe(true);
  }, 120_000);

  it("streams a CSV log named by spec.watch, NaN kept", async () => {
    const client = api(server);
    const gate = path.join(scratch, "csv-go");
    const queued = await client.enqueue({
      queue: "capture",
      spec: {
        kind: "command",
        command: ["python3", path.join(SCRIPTS, "write_csv_log.py"), gate],
        watch: ["logs/*.csv"],
      },
    });
    for (let epoch = 0; epoch < 3; epoch++) {
      writeFileSync(`${gate}.${epoch}`, "");
      await waitFor(
        `epoch ${epoch} on the server`,
        async () => (await stepsOf(queued.id, "val_loss")).length === epoch + 1,
      );
      if (epoch < 2) expect((await client.run(queued.id)).status).toBe("running");
    }
    await waitFor("the run to succeed", async () => (await client.run(queued.id)).status === "succeeded");
    const [loss, valLoss] = await series(queued.id, ["loss", "val_loss"]);
    expect(loss?.values).toEqual([1, 0.5, 1 / 3]);
    expect(valLoss?.values).toEqual([0.5, "NaN", 0.5 / 3]);
  }, 120_000);
});
