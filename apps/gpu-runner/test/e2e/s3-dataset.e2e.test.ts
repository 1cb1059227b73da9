import { mkdtempSync } from "node:fs";
import { readdir, readFile, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { PutObjectCommand } from "@aws-sdk/client-s3";
import { createS3Client } from "@labtrack/s3";
import { type S3TestServer, startS3TestServer } from "@labtrack/s3/test-support";
import type { QueueEnqueueInput } from "@labtrack/schemas";
import { dataOf, type TestServer } from "@labtrack/tracker-api/test-support";
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

const BUCKET = "ocolecionadorbucket-processed";
/** Seed 000 keeps its training images in MinIO under `training/<category>/<class>/`. */
const PREFIX = "training/carros";

const spec: QueueEnqueueInput["spec"] = {
  kind: "image-classifier",
  data: { path: `s3://${BUCKET}/${PREFIX}`, val_fraction: 0.25, test_fraction: 0.25 },
  model: { backbone: "mobilenet_v2", input_size: 32 },
  phases: [{ epochs: 1, learning_rate: 0.01, trainable: "head" }],
  batch_size: 8,
  augmentation: { enabled: false },
  early_stopping: { enabled: false },
};

describe("a runner trains from an s3:// data path (S3 artifacts on the API too)", () => {
  let server: TestServer;
  let s3: S3TestServer;
  let runner: RunnerProcess;
  const work = mkdtempSync(path.join(os.tmpdir(), "labtrack-s3-e2e-"));

  beforeAll(async () => {
    s3 = await startS3TestServer(BUCKET);
    const client = createS3Client(s3.settings);
    const local = path.join(work, "images");
    await writeClassFolderDataset(local, ["circle", "square"], 8, { size: 32 });
    for (const label of await readdir(local)) {
      for (const file of await readdir(path.join(local, label))) {
        await client.send(
          new PutObjectCommand({
            Bucket: BUCKET,
            Key: `${PREFIX}/${label}/${file}`,
            Body: await readFile(path.join(local, label, file)),
          }),
        );
      }
    }
    client.destroy();
    server = await startFastServer("pglite", { blobStore: "s3" });
    runner = spawnRunner(server.url, await runnerToken(server), "s3-e2e", {
      LABTRACK_S3_ENDPOINT: s3.endpoint,
      AWS_ACCESS_KEY_ID: s3.settings.accessKeyId ?? "",
      AWS_SECRET_ACCESS_KEY: s3.settings.secretAccessKey ?? "",
      AWS_REGION: "us-east-1",
    });
  }, 60_000);
  afterAll(async () => {
    await stopRunner(runner, "SIGKILL");
    await server.close();
    await s3.close();
    await rm(work, { recursive: true, force: true });
  }, 60_000);

  it("downloads the bucket's images once, trains on them, and reuses the cache for the next run", async () => {
    const client = api(server);
    const finished = (id: string) =>
      waitFor(
        `run ${id} to finish`,
        async () => {
          const run = await client.run(id);
          return (run.status === "succeeded" || run.status === "failed") && run;
        },
        100_000,
        250,
      );
    const logLines = async (id: string) => (await client.logs(id)).map((l) => l.text);

    const first = await client.enqueue({ name: "from-minio", spec });
    const firstDone = await finished(first.id);
    expect(firstDone.status, `${firstDone.error}\n${runner.output().slice(-3000)}`).toBe("succeeded");
    const firstLogs = await logLines(first.id);
    expect(
      firstLogs.some((t) =>
        /dataset s3:\/\/ocolecionadorbucket-processed\/training\/carros \(16 objects, .*\) downloaded/.test(
          t,
        ),
      ),
      firstLogs.join("\n"),
    ).toBe(true);
    const artifacts = dataOf<{ path: string }[]>(
      await client.call("artifacts.list", { runId: first.id }, "query"),
    );
    expect(artifacts.map((a) => a.path)).toContain("model/model.json");

    const second = await client.enqueue({ name: "from-minio-again", spec });
    expect((await finished(second.id)).status).toBe("succeeded");
    const secondLogs = await logLines(second.id);
    expect(
      secondLogs.some((t) => /dataset s3:\/\/.* from the runner's cache/.test(t)),
      secondLogs.join("\n"),
    ).toBe(true);
  }, 200_000);
});
