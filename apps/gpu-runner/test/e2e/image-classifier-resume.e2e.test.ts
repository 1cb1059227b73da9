import { mkdtempSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { DB_KINDS, dataOf, type TestServer } from "@labtrack/tracker-api/test-support";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { writeClassFolderDataset } from "../synthetic-shapes.ts";
import {
  api,
  type RunnerProcess,
  runnerToken,
  SHORT_LEASE,
  spawnRunner,
  startFastServer,
  stopRunner,
  waitFor,
} from "./harness.ts";

type ArtifactRow = { path: string; kind: string };

describe.each(DB_KINDS)("an image-classifier run whose runner dies, on %s", (kind) => {
  let server: TestServer;
  const runners: RunnerProcess[] = [];
  const dataDir = mkdtempSync(path.join(os.tmpdir(), "labtrack-shapes-"));

  beforeAll(async () => {
    server = await startFastServer(kind, { queueSettings: SHORT_LEASE });
    await writeClassFolderDataset(dataDir, ["circle", "square", "triangle"], 10);
  }, 60_000);
  afterAll(async () => {
    await Promise.all(runners.map((r) => stopRunner(r, "SIGKILL")));
    await server.close();
  }, 60_000);

  it("resumes on another runner from the checkpoint the first one uploaded", async () => {
    const client = api(server);
    const token = await runnerToken(server);
    const first = spawnRunner(server.url, token, `trainer-a-${kind}`, { LABTRACK_RUNNER_QUEUES: "train" });
    runners.push(first);
    const queued = await client.enqueue({
      queue: "train",
      name: "shapes",
      spec: {
        kind: "image-classifier",
        data: { path: dataDir },
        model: { backbone: "scratch_cnn", input_size: 32 },
        phases: [{ epochs: 4, learning_rate: 3e-3, trainable: "all" }],
        batch_size: 4,
        augmentation: { enabled: false },
        early_stopping: { enabled: false },
      },
    });
    const artifacts = async () =>
      dataOf<ArtifactRow[]>(await client.call("artifacts.list", { runId: queued.id }, "query"));
    await waitFor(
      "the first checkpoint on the server",
      async () => (await artifacts()).some((a) => a.kind === "checkpoint"),
      120_000,
      200,
    );
    first.child.kill("SIGKILL");
    await first.exited;
    runners.push(spawnRunner(server.url, token, `trainer-b-${kind}`, { LABTRACK_RUNNER_QUEUES: "train" }));
    const done = await waitFor(
      "the run to finish on the second runner",
      async () => {
        const run = await client.run(queued.id);
        return (run.status === "succeeded" || run.status === "failed") && run;
      },
      180_000,
      250,
    );
    expect(done, JSON.stringify(done)).toMatchObject({ status: "succeeded", attempt: 2 });
    const texts = (await client.logs(queued.id)).map((l) => l.text);
    expect(texts.some((t) => t.startsWith("resuming from checkpoint checkpoints/"))).toBe(true);
    const accuracy = await client.call(
      "metrics.series",
      { runIds: [queued.id], keys: ["val/loss"] },
      "query",
    );
    const [series] = dataOf<{ steps: number[] }[]>(accuracy);
    // Every epoch once: the resumed attempt went on from the checkpoint, it did not start over.
    expect(series?.steps).toEqual([0, 1, 2, 3]);
    expect((await artifacts()).map((a) => a.path)).toContain("model/model.json");
  }, 300_000);
});
