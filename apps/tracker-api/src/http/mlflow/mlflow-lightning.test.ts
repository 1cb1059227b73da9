import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { listOf, mlflowPythonClient, textOf } from "../../test-support/mlflow-python-client.ts";
import {
  callProcedure,
  DB_KINDS,
  dataOf,
  startTestServer,
  type TestServer,
} from "../../test-support/test-server.ts";

type SeriesOut = { key: string; steps: number[]; values: unknown[] }[];
const labtrackId = (id: string) => id.replace(/^(.{8})(.{4})(.{4})(.{4})(.{12})$/, "$1-$2-$3-$4-$5");

/**
 * The requests of Lightning's MLFlowLogger (lightning/pytorch/loggers/mlflow.py) over a two-epoch
 * fit: get-by-name, create experiment, create run with the mlflow.runName tag, log_hyperparams as
 * a log-batch of params, log_metrics per step (Lightning logs `epoch` with the training metrics
 * and again with the validation metrics of the same step), finalize: get run, update FINISHED.
 */
describe.each(DB_KINDS)("Lightning MLFlowLogger wire sequence on %s", (kind) => {
  let server: TestServer;
  const trpc = (procedure: string, input: unknown) =>
    callProcedure(server, server.adminToken, procedure, input, "query");

  beforeAll(async () => {
    server = await startTestServer(kind);
  });
  afterAll(() => server.close());

  it("logs a fit that Labtrack then shows with its name, params and one point per step", async () => {
    const mlflow = mlflowPythonClient(server.url, { token: server.adminToken });
    const t0 = 1_764_100_000_000;
    expect(
      (await mlflow.call("GET", "experiments/get-by-name", { experiment_name: "lightning_logs" })).status,
    ).toBe(404);
    const experimentId = textOf(
      (await mlflow.call("POST", "experiments/create", { name: "lightning_logs" })).body?.experiment_id,
    );
    const created = await mlflow.call("POST", "runs/create", {
      experiment_id: experimentId,
      user_id: "ann",
      start_time: t0,
      tags: [
        { key: "mlflow.runName", value: "mnv2-finetune" },
        { key: "mlflow.user", value: "ann" },
        { key: "mlflow.source.name", value: "train.py" },
        { key: "mlflow.source.type", value: "LOCAL" },
      ],
    });
    const runId = textOf(created.body?.run?.info?.run_id);
    expect(created.body?.run?.info?.run_name).toBe("mnv2-finetune");
    const hyper = await mlflow.call("POST", "runs/log-batch", {
      run_id: runId,
      params: [
        { key: "lr", value: "0.001" },
        { key: "backbone", value: "mobilenet_v2" },
        { key: "optimizer/name", value: "adam" },
      ],
    });
    expect(hyper.status).toBe(200);
    let t = t0;
    for (const [epoch, step] of [
      [0, 49],
      [1, 99],
    ] as const) {
      t += 1000;
      const train = await mlflow.call("POST", "runs/log-batch", {
        run_id: runId,
        metrics: [
          { key: "train_loss", value: 1 / (epoch + 2), timestamp: t, step },
          { key: "epoch", value: epoch, timestamp: t, step },
        ],
      });
      expect(train.status).toBe(200);
      t += 500;
      const val = await mlflow.call("POST", "runs/log-batch", {
        run_id: runId,
        metrics: [
          { key: "val_loss", value: 1.2 / (epoch + 2), timestamp: t, step },
          { key: "val_acc", value: "NaN", timestamp: t, step },
          { key: "epoch", value: epoch, timestamp: t, step },
        ],
      });
      expect(val.status).toBe(200);
    }
    expect((await mlflow.call("GET", "runs/get", { run_uuid: runId, run_id: runId })).status).toBe(200);
    const done = await mlflow.call("POST", "runs/update", {
      run_uuid: runId,
      run_id: runId,
      status: "FINISHED",
      end_time: t + 100,
    });
    expect(done.body?.run_info?.status).toBe("FINISHED");

    const run = dataOf<{ name: string; status: string; config: unknown }>(
      await trpc("runs.get", { runId: labtrackId(runId) }),
    );
    expect(run).toMatchObject({
      name: "mnv2-finetune",
      status: "succeeded",
      config: { lr: "0.001", backbone: "mobilenet_v2", "optimizer/name": "adam" },
    });
    const series = dataOf<SeriesOut>(
      await trpc("metrics.series", { runIds: [labtrackId(runId)], keys: ["epoch", "train_loss", "val_acc"] }),
    );
    expect(series.map((s) => [s.key, s.steps, s.values])).toEqual([
      ["epoch", [49, 99], [0, 1]],
      ["train_loss", [49, 99], [0.5, 1 / 3]],
      ["val_acc", [49, 99], ["NaN", "NaN"]],
    ]);
    const logs = dataOf<{ lines: unknown[] }>(await trpc("logs.tail", { runId: labtrackId(runId) }));
    expect(logs.lines).toEqual([]);
  });

  it("keeps a value re-logged at a taken step after the key's last step, says so once, and drops its retry", async () => {
    const mlflow = mlflowPythonClient(server.url, { token: server.adminToken });
    const created = await mlflow.call("POST", "runs/create", {
      experiment_id: "0",
      start_time: 1_764_200_000_000,
    });
    const runId = textOf(created.body?.run?.info?.run_id);
    // mlflow.log_metric("loss", v) without a step always sends step 0.
    const logLoss = (value: number, timestamp: number) =>
      mlflow.call("POST", "runs/log-metric", {
        run_uuid: runId,
        run_id: runId,
        key: "loss",
        value,
        timestamp,
        step: 0,
      });
    for (const [value, ts] of [
      [0.9, 1],
      [0.7, 2],
      [0.7, 2],
      [0.5, 3],
    ] as const) {
      expect((await logLoss(value, 1_764_200_000_000 + ts)).status).toBe(200);
    }
    const history = await mlflow.call("GET", "metrics/get-history", {
      run_uuid: runId,
      run_id: runId,
      metric_key: "loss",
    });
    expect(listOf(history.body?.metrics).map((m) => [m?.step, m?.value])).toEqual([
      [0, 0.9],
      [1, 0.7],
      [2, 0.5],
    ]);
    const page = await mlflow.call("GET", "metrics/get-history", {
      run_id: runId,
      metric_key: "loss",
      max_results: 2,
    });
    expect(listOf(page.body?.metrics).length).toBe(2);
    const next = await mlflow.call("GET", "metrics/get-history", {
      run_id: runId,
      metric_key: "loss",
      max_results: 2,
      page_token: textOf(page.body?.next_page_token),
    });
    expect(next.body?.metrics).toEqual([{ key: "loss", value: 0.5, timestamp: 1_764_200_000_003, step: 2 }]);
    expect(next.body?.next_page_token).toBeUndefined();
    const logs = dataOf<{ lines: { stream: string; text: string }[] }>(
      await trpc("logs.tail", { runId: labtrackId(runId) }),
    );
    expect(logs.lines).toHaveLength(1);
    expect(logs.lines[0]).toMatchObject({ stream: "system" });
    expect(logs.lines[0]?.text).toMatch(/metric 'loss' was logged again at a step it already had .*step 1/);
  });
});
