// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${…} here are the bridge's placeholders.
import { mkdtempSync } from "node:fs";
import { writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { DB_KINDS, dataOf, type TestServer } from "@labtrack/tracker-api/test-support";
import type { GetMessage } from "amqplib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { writeClassFolderDataset } from "../synthetic-shapes.ts";
import {
  type BridgeProcess,
  deleteQueues,
  holdBrokerLock,
  publishTo,
  queueDepth,
  restartBroker,
  seedMessage,
  spawnBridge,
  stopBridge,
  TRAIN_SCRIPT,
  takeAll,
  testQueues,
} from "./amqp-harness.ts";
import {
  api,
  type RunnerProcess,
  runnerToken,
  spawnRunner,
  startFastServer,
  stopRunner,
  waitFor,
} from "./harness.ts";

const POLL_MS = 300;

type BridgedRun = {
  id: string;
  name: string;
  status: string;
  keyValueTags: Record<string, string>;
  config: Record<string, unknown>;
};

describe.each(DB_KINDS)("labtrack bridge amqp against RabbitMQ, on %s", (kind) => {
  let server: TestServer;
  let runner: RunnerProcess;
  let userToken: string;
  const work = mkdtempSync(path.join(os.tmpdir(), "labtrack-amqp-e2e-"));
  const script = path.join(work, "train.mjs");
  const bridges: BridgeProcess[] = [];
  const queues: string[] = [];

  type ConfigChanges = { input?: Record<string, unknown>; run?: Record<string, unknown> };
  const bridgeConfig = (q: ReturnType<typeof testQueues>, changes: ConfigChanges = {}) => ({
    amqp: { heartbeatSeconds: 5, reconnectInitialDelayMs: 100, reconnectMaxDelayMs: 1000 },
    input: { queue: q.input, ...changes.input },
    output: { queue: q.output, pollIntervalMs: POLL_MS },
    run: changes.run ?? {
      project: "ocolecionador",
      name: "${message.batchId}",
      tags: ["amqp"],
      config: { total_images: "${message.totalImages}", categories: "${message.categories}" },
      spec: {
        kind: "command",
        command: [process.execPath, script, "--batch=${message.batchId}", "--sleep-ms=${message.sleepMs}"],
      },
    },
  });

  async function startBridge(
    q: ReturnType<typeof testQueues>,
    changes?: ConfigChanges,
  ): Promise<BridgeProcess> {
    const bridge = await spawnBridge(work, bridgeConfig(q, changes), { url: server.url, token: userToken });
    bridges.push(bridge);
    await waitFor("the bridge to consume", async () => bridge.output().includes("consuming"), 30_000).catch(
      (error: unknown) => {
        throw new Error(`${String(error)}\n${bridge.output()}`);
      },
    );
    return bridge;
  }

  function newQueues(label: string) {
    const q = testQueues(`${label}-${kind}`);
    queues.push(q.input, q.dead, q.output);
    return q;
  }

  async function bridgedRuns(bridge: string): Promise<BridgedRun[]> {
    const page = dataOf<{ runs: BridgedRun[] }>(
      await api(server).call(
        "runs.list",
        {
          project: "ocolecionador",
          filter: `tags."amqp.bridge" = "${bridge}"`,
          sort: { field: "createdAt", direction: "asc" },
        },
        "query",
      ),
    );
    return page.runs;
  }

  /** Collects result messages until `count` have arrived, then makes sure no more follow. */
  async function resultsOf(queue: string, count: number): Promise<GetMessage[]> {
    const got: GetMessage[] = [];
    await waitFor(
      `${count} result message(s) on ${queue}`,
      async () => {
        got.push(...(await takeAll(queue)));
        return got.length >= count;
      },
      60_000,
      200,
    ).catch((error: unknown) => {
      throw new Error(`${String(error)}\n${bridges.map((b) => b.output().slice(-4000)).join("\n---\n")}`);
    });
    await new Promise((resolve) => setTimeout(resolve, 4 * POLL_MS));
    got.push(...(await takeAll(queue)));
    return got;
  }

  const bodyOf = (message: GetMessage) => JSON.parse(message.content.toString()) as Record<string, unknown>;

  let releaseBroker: () => Promise<void>;

  beforeAll(async () => {
    releaseBroker = await holdBrokerLock();
    server = await startFastServer(kind);
    userToken = (await server.services.tokens.create("amqp-bridge", "user")).token;
    await writeFile(script, TRAIN_SCRIPT);
    await writeClassFolderDataset(path.join(work, "shapes"), ["circle", "square"], 12, { size: 32 });
    runner = spawnRunner(server.url, await runnerToken(server), `amqp-${kind}`, {
      LABTRACK_RUNNER_SLOTS: "2",
    });
  }, 600_000);
  afterAll(async () => {
    await Promise.all(bridges.map((b) => stopBridge(b, "SIGKILL")));
    await stopRunner(runner, "SIGKILL");
    await server?.close();
    await deleteQueues(queues);
    await releaseBroker?.();
  }, 60_000);

  it("queues one run per message, publishes its result once, and dead-letters what it cannot read", async () => {
    const q = newQueues("flow");
    // Several messages at once, so the two copies of one message are handled side by side.
    const bridge = await startBridge(q, { input: { prefetch: 4 } });
    await publishTo(q.input, [seedMessage("batch_20251115_001"), seedMessage("batch_20251115_001")]);
    await publishTo(q.input, { totalImages: 3 });
    await publishTo(q.input, "not json");

    const [result, ...extra] = await resultsOf(q.output, 1);
    expect(extra).toEqual([]);
    const [run, ...others] = await bridgedRuns(q.input);
    expect(others).toEqual([]);
    expect(run).toMatchObject({
      name: "batch_20251115_001",
      status: "succeeded",
      config: { total_images: 9000, categories: ["carros", "moedas", "animais"] },
      keyValueTags: { "amqp.bridge": q.input, "amqp.message_id": "batch_20251115_001" },
    });
    expect(run?.keyValueTags["amqp.published"]).toMatch(/^\d{4}-\d\d-\d\dT/);
    expect(result?.properties).toMatchObject({
      messageId: `labtrack-run-${run?.id}`,
      correlationId: "batch_20251115_001",
      contentType: "application/json",
      deliveryMode: 2,
    });
    expect(bodyOf(result as GetMessage)).toEqual({
      modelVersion: "batch_20251115_001",
      trainingStatus: "success",
      metrics: { accuracy: 0.9412, precision: 0.9387, recall: 0.9301, f1_score: 0.9344 },
      trainingTime: 12.5,
      epochsCompleted: 3,
      bestEpoch: 2,
      modelPath: null,
      completedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT.*Z$/),
    });

    const dead = await takeAll(q.dead);
    expect(dead.map((m) => m.properties.headers?.["x-labtrack-reason"])).toEqual([
      "batchId: the message id must be a non-empty string or a number",
      expect.stringMatching(/^body: not JSON/),
    ]);
    expect(dead.map((m) => m.content.toString())).toEqual(['{"totalImages":3}', "not json"]);
    expect(await queueDepth(q.input)).toMatchObject({ messageCount: 0, consumerCount: 1 });
    expect(await stopBridge(bridge)).toBe(0);
  }, 120_000);

  it("survives a broker restart mid-run: the result goes out once the broker is back, and consuming resumes", async () => {
    const q = newQueues("restart");
    const bridge = await startBridge(q);
    await publishTo(q.input, seedMessage("before-restart", 6000));
    const client = api(server);
    const [first] = await waitFor("the first run to start", async () => {
      const runs = await bridgedRuns(q.input);
      return runs[0]?.status === "running" && runs;
    });
    await restartBroker(async () => {
      // The run ends while the broker is down; the bridge cannot publish its result yet.
      await waitFor("the run to end", async () => (await client.run(first?.id ?? "")).status === "succeeded");
      await new Promise((resolve) => setTimeout(resolve, 3 * POLL_MS));
    });
    await publishTo(q.input, seedMessage("after-restart"));
    const results = await resultsOf(q.output, 2);
    const runs = await bridgedRuns(q.input);
    expect(runs.map((r) => [r.name, r.status])).toEqual([
      ["before-restart", "succeeded"],
      ["after-restart", "succeeded"],
    ]);
    expect(results.map((m) => m.properties.messageId).sort()).toEqual(
      runs.map((r) => `labtrack-run-${r.id}`).sort(),
    );
    // The first result went out after the outage began: caught up once the broker was back.
    const log = bridge.output();
    const lost = log.indexOf("connection lost; reconnecting");
    expect(lost).toBeGreaterThan(-1);
    expect(log.indexOf(`"runId":"${first?.id}","status":"succeeded"`)).toBeGreaterThan(lost);
    expect(bridge.child.exitCode).toBeNull();
    expect(await stopBridge(bridge)).toBe(0);
  }, 120_000);

  it("after a kill -9 the restarted bridge catches up: nothing lost, nothing doubled", async () => {
    const q = newQueues("kill");
    const doomed = await startBridge(q);
    await publishTo(q.input, seedMessage("queued-then-killed", 1000));
    const [first] = await waitFor("the first run to be queued", async () => {
      const runs = await bridgedRuns(q.input);
      return runs.length > 0 && runs;
    });
    doomed.child.kill("SIGKILL");
    await doomed.exited;
    expect(doomed.output()).not.toContain("result published"); // the restarted bridge publishes it
    // While the bridge is dead: the run ends, the producer redelivers, and a new message comes.
    await waitFor(
      "the run to end",
      async () => (await api(server).run(first?.id ?? "")).status === "succeeded",
    );
    await publishTo(q.input, seedMessage("queued-then-killed", 1000));
    await publishTo(q.input, seedMessage("sent-while-down"));
    // A bridge killed between queuing a run and acking its message leaves exactly this behind.
    await api(server).enqueue({
      project: "ocolecionador",
      name: "killed-before-ack",
      keyValueTags: { "amqp.bridge": q.input, "amqp.message_id": "killed-before-ack" },
      spec: { kind: "command", command: [process.execPath, script, "--sleep-ms=0"] },
    });
    await publishTo(q.input, seedMessage("killed-before-ack"));
    await startBridge(q);
    const results = await resultsOf(q.output, 3);
    const runs = await bridgedRuns(q.input);
    // One run per message id: the killed bridge's run, the one made before the ack, the new message's.
    expect(runs.map((r) => r.name)).toEqual(["queued-then-killed", "killed-before-ack", "sent-while-down"]);
    expect(results.map((m) => bodyOf(m).modelVersion).sort()).toEqual([
      "killed-before-ack",
      "queued-then-killed",
      "sent-while-down",
    ]);
    expect(await queueDepth(q.input)).toMatchObject({ messageCount: 0 });
  }, 120_000);

  it("trains an image-classifier run per message and maps what the recipe records into seed 000's result", async () => {
    const q = newQueues("ic");
    await startBridge(q, {
      run: {
        project: "ocolecionador",
        name: "${message.batchId}",
        config: { target_classes: "${message.targetClasses}" },
        spec: {
          kind: "image-classifier",
          data: { path: "${message.datasetPath}", val_fraction: 0.25, test_fraction: 0.25 },
          model: { backbone: "mobilenet_v2", input_size: 32 },
          phases: [
            { epochs: 2, learning_rate: 0.01, trainable: "head" },
            { epochs: 1, learning_rate: 0.0001, trainable: { last_n_layers: 10 } },
          ],
          batch_size: 8,
          augmentation: { enabled: false },
          early_stopping: { enabled: false },
        },
      },
    });
    await publishTo(q.input, [
      { ...seedMessage("shapes-001"), datasetPath: path.join(work, "shapes") },
      { ...seedMessage("missing-002"), datasetPath: path.join(work, "no-such-folder") },
    ]);
    const results = await resultsOf(q.output, 2);
    const byVersion = Object.fromEntries(results.map((m) => [bodyOf(m).modelVersion, bodyOf(m)]));
    const [trained] = await bridgedRuns(q.input);
    const share = expect.any(Number);
    expect(byVersion["shapes-001"]).toEqual({
      modelVersion: "shapes-001",
      trainingStatus: "success",
      metrics: { accuracy: share, precision: share, recall: share, f1_score: share },
      trainingTime: share,
      epochsCompleted: 3,
      bestEpoch: share,
      modelPath: `${server.url}/api/artifacts/${trained?.id}/model/model.json`,
      completedAt: expect.any(String),
    });
    expect(byVersion["missing-002"]).toMatchObject({
      trainingStatus: "failed",
      metrics: { accuracy: null, precision: null, recall: null, f1_score: null },
      modelPath: null,
    });
    const model = await fetch(byVersion["shapes-001"]?.modelPath as string, {
      headers: { authorization: `Bearer ${userToken}` },
    });
    expect(model.status).toBe(200);
  }, 180_000);

  it("refuses to start, saying why, when its queues do not exist or the broker refuses the login", async () => {
    const q = newQueues("missing");
    const labtrack = { url: server.url, token: userToken };
    const missing = await spawnBridge(
      work,
      { ...bridgeConfig(q), input: { queue: q.input, declare: false } },
      labtrack,
    );
    bridges.push(missing);
    expect(await missing.exited).toBe(1);
    expect(missing.output()).toMatch(/^labtrack: .*NOT_FOUND - no queue/m);
    const refused = await spawnBridge(work, bridgeConfig(q), labtrack, "amqp://guest:wrong@127.0.0.1:5672");
    bridges.push(refused);
    expect(await refused.exited).toBe(1);
    expect(refused.output()).toMatch(/^labtrack: .*ACCESS_REFUSED/m);
  }, 60_000);
});
