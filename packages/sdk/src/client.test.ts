import { writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import type { LiveEvent } from "@labtrack/schemas";
import {
  DB_KINDS,
  startAnswerDroppingProxy,
  startTestServer,
  type TestServer,
} from "@labtrack/tracker-api/test-support";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createClient, type LabtrackClient } from "./client.ts";

async function until<T>(check: () => T | undefined, timeoutMs = 5_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error("timed out waiting");
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe.each(DB_KINDS)("sdk against a real server on %s", (kind) => {
  let server: TestServer;
  let client: LabtrackClient;

  beforeAll(async () => {
    server = await startTestServer(kind);
    client = createClient({ url: server.url, token: server.adminToken, flushIntervalMs: 50 });
  });
  afterAll(async () => {
    await client.close();
    await server.close();
  });

  it("prints a batch once when the answer to it is lost and the sdk sends it again", async () => {
    const proxy = await startAnswerDroppingProxy({
      target: server.url,
      matches: (req) => req.url?.startsWith("/trpc/logs.append") === true,
      times: 1,
    });
    const viaProxy = createClient({ url: proxy.url, token: server.adminToken, flushIntervalMs: 50 });
    try {
      const run = await viaProxy.startRun({ project: "sdk", name: "lost answer" });
      await run.print("Epoch 1/2\nloss: 0.4");
      expect(proxy.dropped).toBe(1);
      const { lines } = await client.logs.tail({ runId: run.id, limit: 100 });
      expect(lines.map((l) => l.text)).toEqual(["Epoch 1/2", "loss: 0.4"]);
    } finally {
      await viaProxy.close();
      await proxy.close();
    }
  });

  it("runs a script's life: start, log in the background, print, upload, finish", async () => {
    const run = await client.startRun({ project: "sdk", name: "script", config: { lr: 0.01 } });
    for (let step = 0; step < 25; step++)
      run.log({ "train/loss": 1 / (step + 1), "train/acc": step / 25 }, { step, epoch: step });
    await run.print("epoch 25 done");
    const file = path.join(os.tmpdir(), `sdk-${process.pid}.txt`);
    await writeFile(file, "weights");
    const artifact = await run.uploadArtifact("model/weights.bin", file, "model");
    expect(artifact).toMatchObject({ kind: "model", size: 7 });
    const finished = await run.finish();
    expect(finished.status).toBe("succeeded");
    expect(finished.summary["train/loss"]).toMatchObject({ last: 0.04, count: 25 });
    const [loss] = await client.metrics.series({ runIds: [run.id], keys: ["train/loss"] });
    expect(loss?.steps).toHaveLength(25);
    expect((await client.artifacts.download(run.id, "model/weights.bin")).toString()).toBe("weights");
    expect((await client.logs.tail({ runId: run.id })).lines.map((l) => l.text)).toEqual(["epoch 25 done"]);
  });

  it("aborts a run's signal when the run is canceled, and leaves it canceled at finish", async () => {
    const run = await client.startRun({ project: "sdk", name: "canceled-script" });
    run.log({ "train/loss": 1 }, { step: 0 });
    await run.flush();
    expect(run.signal.aborted).toBe(false);
    await client.trpc.runs.cancel.mutate({ runId: run.id });
    run.log({ "train/loss": 0.5 }, { step: 1 });
    await run.flush();
    expect(run.signal.aborted).toBe(true);
    run.log({ "train/loss": 0.25 }, { step: 2 });
    const finished = await run.finish();
    expect(finished.status).toBe("canceled");
    const [loss] = await client.metrics.series({ runIds: [run.id], keys: ["train/loss"] });
    expect(loss?.steps).toEqual([0, 1]);
  });

  it("streams live events and resumes after the last event id without gaps", async () => {
    const run = await client.startRun({ project: "live" });
    const seen: { id: string; event: LiveEvent }[] = [];
    const stop = client.subscribe({ runIds: [run.id] }, { onEvent: (event, id) => seen.push({ id, event }) });
    await new Promise((resolve) => setTimeout(resolve, 300));
    await client.metrics.log(run.id, [{ key: "loss", step: 0, value: 1 }]);
    const first = await until(() => seen.find((s) => s.event.kind === "metric"));
    stop();
    await client.metrics.log(run.id, [{ key: "loss", step: 1, value: 0.5 }]);
    await client.logs.append({ runId: run.id, lines: [{ text: "missed while away" }] });
    const resumed: LiveEvent[] = [];
    const stopAgain = client.subscribe(
      { runIds: [run.id], lastEventId: first.id },
      { onEvent: (event) => resumed.push(event) },
    );
    await until(() => (resumed.length >= 2 ? true : undefined));
    stopAgain();
    expect(resumed[0]).toMatchObject({
      kind: "metric",
      series: [{ key: "loss", steps: [1], values: [0.5] }],
    });
    expect(resumed[1]).toMatchObject({ kind: "log", lines: [{ text: "missed while away" }] });
  });

  it("tells a subscriber to refetch when its last event id is from another server life", async () => {
    const events: LiveEvent[] = [];
    const stop = client.subscribe(
      { project: "live", lastEventId: "deadbeef-12" },
      { onEvent: (event) => events.push(event) },
    );
    await until(() => (events.length > 0 ? true : undefined));
    stop();
    expect(events[0]).toEqual({ kind: "resync", runId: null, project: null });
  });
});
