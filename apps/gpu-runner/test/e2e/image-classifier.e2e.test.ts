import { execFile } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { readdir, readFile, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { predictRoute } from "@labtrack/tracker-api/predict-route";
import { DB_KINDS, dataOf, type TestServer } from "@labtrack/tracker-api/test-support";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { writeClassFolderDataset } from "../synthetic-shapes.ts";
import {
  api,
  type RunnerProcess,
  runnerToken,
  spawnRunner,
  startFastServer,
  stopRunner,
  waitFor,
} from "./harness.ts";

const LABTRACK_CLI = fileURLToPath(new URL("../../../../packages/sdk/bin/labtrack.mjs", import.meta.url));
const CLASSES = ["circle", "square"] as const;
const MODEL_FILES = [
  "model/inference_config.json",
  "model/labels.txt",
  "model/model.json",
  "model/weights.bin",
];

/** Tiny and quick: 32 px MobileNetV2 features, a head-only phase, then a short fine-tune. */
const SPEC_YAML = `kind: image-classifier
data:
  path: dataset:shapes
  val_fraction: 0.25
  test_fraction: 0.25
model:
  backbone: mobilenet_v2
  input_size: 32
phases:
  - epochs: 2
    learning_rate: 0.01
    trainable: head
  - epochs: 1
    learning_rate: 0.0001
    trainable:
      last_n_layers: 10
batch_size: 8
augmentation:
  enabled: false
early_stopping:
  enabled: false
`;

type RunDetail = {
  id: string;
  status: string;
  error: string | null;
  summary: Record<string, { last: number; count: number }>;
  results: Record<string, unknown>;
};

describe.each(DB_KINDS)("image-classifier from the CLI to /predict, on %s", (kind) => {
  let server: TestServer;
  let runner: RunnerProcess;
  let userToken: string;
  const work = mkdtempSync(path.join(os.tmpdir(), "labtrack-ic-e2e-"));
  const dataDir = path.join(work, "shapes");

  const cli = async (...args: string[]) =>
    (
      await promisify(execFile)(process.execPath, [LABTRACK_CLI, ...args], {
        cwd: work,
        env: { ...process.env, LABTRACK_URL: server.url, LABTRACK_TOKEN: userToken },
      })
    ).stdout;

  beforeAll(async () => {
    server = await startFastServer(kind, {
      extraRoutes: [predictRoute({ cacheDir: path.join(work, "model-cache") })],
    });
    userToken = (await server.services.tokens.create("e2e-user", "user")).token;
    await writeClassFolderDataset(dataDir, [...CLASSES], 12, { size: 32 });
    await writeFile(path.join(work, "spec.yaml"), SPEC_YAML);
    runner = spawnRunner(server.url, await runnerToken(server), `ic-${kind}`, { LABTRACK_RUNNER_SLOTS: "2" });
  }, 60_000);
  afterAll(async () => {
    await stopRunner(runner, "SIGKILL");
    await server.close();
  }, 60_000);

  it("trains a pushed dataset and a local folder, reports metrics and the model, and serves /predict", async () => {
    const client = api(server);
    const pushed = JSON.parse(await cli("dataset", "push", "shapes", "--name", "shapes", "--json"));
    expect(pushed).toMatchObject({ name: "shapes", version: 1, fileCount: 24, created: true });
    const fromDataset = JSON.parse(
      await cli("queue", "spec.yaml", "--project", "e2e", "--name", "pushed", "--json"),
    );
    const fromFolder = await client.enqueue({
      name: "local-folder",
      spec: {
        ...JSON.parse(JSON.stringify(fromDataset.spec)),
        data: { path: dataDir, val_fraction: 0.25, test_fraction: 0.25 },
      },
    });

    const finished = async (id: string) =>
      waitFor(
        `run ${id} to finish`,
        async () => {
          const run = dataOf<RunDetail>(await client.call("runs.get", { runId: id }, "query"));
          return (run.status === "succeeded" || run.status === "failed") && run;
        },
        100_000,
        250,
      );
    const [datasetRun, folderRun] = await Promise.all([finished(fromDataset.id), finished(fromFolder.id)]);
    const explain = (run: RunDetail) => `${JSON.stringify(run.error)}\n${runner.output().slice(-3000)}`;
    expect(datasetRun.status, explain(datasetRun)).toBe("succeeded");
    expect(folderRun.status, explain(folderRun)).toBe("succeeded");

    // Per-epoch metrics: 2 + 1 epochs over the two phases.
    for (const key of [
      "train/loss",
      "train/accuracy",
      "val/loss",
      "val/accuracy",
      "val/precision",
      "val/recall",
      "val/f1",
      "lr",
    ]) {
      expect(datasetRun.summary[key], key).toMatchObject({ count: 3 });
    }
    expect(datasetRun.results).toMatchObject({
      backend: expect.any(String),
      confusion_matrix: { labels: [...CLASSES], matrix: expect.any(Array) },
    });
    const artifacts = dataOf<{ path: string }[]>(
      await client.call("artifacts.list", { runId: datasetRun.id }, "query"),
    );
    expect(artifacts.map((a) => a.path)).toEqual(
      expect.arrayContaining([...MODEL_FILES, "metrics.json", "confusion_matrix.json"]),
    );
    const logs = (await client.logs(datasetRun.id)).map((l) => l.text);
    expect(
      logs.some((t) => /dataset shapes@1 .*downloaded/.test(t)),
      logs.join("\n"),
    ).toBe(true);

    // Both runs answer /predict; the image goes in raw or as a multipart form.
    const circle = await readFile(
      path.join(dataDir, "circle", (await readdir(path.join(dataDir, "circle")))[0] ?? ""),
    );
    const raw = await fetch(`${server.url}/api/runs/${datasetRun.id}/predict`, {
      method: "POST",
      headers: { authorization: `Bearer ${userToken}`, "content-type": "image/png" },
      body: circle,
    });
    expect(raw.status).toBe(200);
    const prediction = (await raw.json()) as {
      predicted: string;
      probabilities: { label: string; p: number }[];
    };
    expect(prediction.probabilities.map((p) => p.label).sort()).toEqual([...CLASSES]);
    expect(CLASSES).toContain(prediction.predicted);
    const form = new FormData();
    form.append("file", new Blob([circle], { type: "image/png" }), "circle.png");
    const multipart = await fetch(`${server.url}/api/runs/${folderRun.id}/predict`, {
      method: "POST",
      headers: { authorization: `Bearer ${userToken}` },
      body: form,
    });
    expect(multipart.status).toBe(200);

    const listed = JSON.parse(
      await cli("runs", "list", "--project", "e2e", "--status", "succeeded", "--json"),
    );
    expect(listed.map((r: { id: string }) => r.id).sort()).toEqual([datasetRun.id, folderRun.id].sort());
  }, 150_000);
});
