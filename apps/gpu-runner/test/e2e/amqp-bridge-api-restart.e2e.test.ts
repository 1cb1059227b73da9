// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${…} here are the bridge's placeholders.
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import {
  createScratchPostgres,
  DB_KINDS,
  type DbKind,
  type TestServer,
  testDatabaseUrl,
} from "@labtrack/tracker-api/test-support";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type BridgeProcess,
  deleteQueues,
  holdBrokerLock,
  publishTo,
  queueDepth,
  spawnBridge,
  stopBridge,
  takeAll,
  testQueues,
} from "./amqp-harness.ts";
import { runnerToken, spawnRunner, startFastServer, stopRunner, waitFor } from "./harness.ts";

const REPORT =
  'console.log("@labtrack " + JSON.stringify({ results: { "test/accuracy": 0.9, epochs_run: 1 } }))';

describe.each(DB_KINDS)("labtrack bridge amqp while the Labtrack API is down, on %s", (kind: DbKind) => {
  const cleanups: (() => Promise<unknown> | unknown)[] = [];
  beforeAll(async () => {
    cleanups.push(await holdBrokerLock());
  }, 600_000);
  afterAll(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup();
  }, 60_000);

  it("keeps the message unacked until the API is back, then queues it once and publishes its result", async () => {
    const dataDir = mkdtempSync(path.join(os.tmpdir(), "labtrack-amqp-api-"));
    cleanups.push(() => rmSync(dataDir, { recursive: true, force: true }));
    let databaseUrl: string | undefined;
    if (kind === "postgres" && testDatabaseUrl) {
      const scratch = await createScratchPostgres(testDatabaseUrl);
      databaseUrl = scratch.url;
      cleanups.push(scratch.drop);
    }
    const start = (port?: number) => startFastServer(kind, { dataDir, databaseUrl, ...(port && { port }) });
    let server: TestServer = await start();
    cleanups.push(() => server.close());
    const port = Number(new URL(server.url).port);
    const userToken = (await server.services.tokens.create("amqp-bridge", "user")).token;
    const runner = spawnRunner(server.url, await runnerToken(server), `amqp-api-${kind}`);
    cleanups.push(() => stopRunner(runner, "SIGKILL"));
    const q = testQueues(`api-${kind}`);
    cleanups.push(() => deleteQueues([q.input, q.dead, q.output]));

    const bridge: BridgeProcess = await spawnBridge(
      dataDir,
      {
        amqp: { reconnectInitialDelayMs: 100, reconnectMaxDelayMs: 500 },
        input: { queue: q.input },
        output: { queue: q.output, pollIntervalMs: 300 },
        run: {
          project: "outage",
          name: "${message.batchId}",
          spec: { kind: "command", command: [process.execPath, "-e", REPORT] },
        },
      },
      { url: server.url, token: userToken },
    );
    cleanups.push(() => stopBridge(bridge, "SIGKILL"));
    await waitFor("the bridge to consume", async () => bridge.output().includes("consuming"), 30_000);

    await server.close();
    await publishTo(q.input, { batchId: "during-outage", totalImages: 1 });
    await waitFor(
      "the bridge to retry",
      async () => bridge.output().includes("Labtrack unreachable"),
      15_000,
    );
    expect(await queueDepth(q.input)).toMatchObject({ messageCount: 0, consumerCount: 1 }); // delivered, unacked
    server = await start(port);

    const results = await waitFor(
      "the result message",
      async () => {
        const got = await takeAll(q.output);
        return got.length > 0 && got;
      },
      60_000,
      200,
    ).catch((error: unknown) => {
      throw new Error(`${String(error)}\n${bridge.output().slice(-4000)}`);
    });
    expect(results.map((m) => JSON.parse(m.content.toString()))).toEqual([
      expect.objectContaining({
        modelVersion: "during-outage",
        trainingStatus: "success",
        epochsCompleted: 1,
      }),
    ]);
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    expect(await takeAll(q.output)).toEqual([]);
    const page = await server.services.runs.list({
      project: "outage",
      limit: 10,
      sort: { field: "createdAt", direction: "asc" },
    });
    expect(page.runs.map((r) => r.name)).toEqual(["during-outage"]);
    expect(bridge.child.exitCode).toBeNull();
  }, 120_000);
});
