import { readFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { createTrpcClient } from "@labtrack/sdk";
import {
  callProcedure,
  DB_KINDS,
  dataOf,
  startTestServer,
  type TestServer,
} from "@labtrack/tracker-api/test-support";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createOutbox, REJECTED_FILE } from "./outbox.ts";

describe.each(DB_KINDS)("the runner's outbox against a real server (%s)", (kind) => {
  let server: TestServer;
  let dir: string;
  beforeAll(async () => {
    server = await startTestServer(kind);
    dir = await mkdtemp(path.join(os.tmpdir(), "outbox-"));
  }, 60_000);
  afterAll(async () => {
    await server.close();
    await rm(dir, { recursive: true, force: true });
  }, 60_000);

  it("sets aside what the server refuses (4xx), logs why on the run, and sends what follows", async () => {
    const call = (procedure: string, input: unknown, method: "query" | "mutation" = "mutation") =>
      callProcedure(server, server.adminToken, procedure, input, method);
    const bad = dataOf<{ id: string }>(await call("runs.create", { project: "outbox" }));
    const good = dataOf<{ id: string }>(await call("runs.create", { project: "outbox" }));
    const { trpc, close } = createTrpcClient({
      url: server.url,
      token: server.adminToken,
      transport: "websocket",
    });
    const outbox = createOutbox({
      dir,
      trpc,
      url: server.url,
      token: server.adminToken,
      log: pino({ level: "silent" }),
      runnerName: "runner-under-test",
    });
    try {
      // An epoch beyond int4, as `@labtrack loss=1 epoch=3000000000` once reached the spool.
      outbox.append({
        t: "metrics",
        runId: bad.id,
        points: [{ key: "loss", step: 0, value: 1, epoch: 3_000_000_000 }],
      });
      outbox.append({ t: "metrics", runId: good.id, points: [{ key: "loss", step: 0, value: 0.5 }] });
      expect(await outbox.drained(30_000)).toBe(true);
    } finally {
      await outbox.close();
      close();
    }
    const series = dataOf<{ runId: string; steps: number[] }[]>(
      await call("metrics.series", { runIds: [good.id], keys: ["loss"] }, "query"),
    );
    expect(series[0]?.steps).toEqual([0]);
    const rejected = readFileSync(path.join(dir, REJECTED_FILE), "utf8").trim().split("\n");
    expect(rejected).toHaveLength(1);
    expect(rejected[0]).toContain("3000000000");
    const lines = dataOf<{ lines: { stream: string; text: string }[] }>(
      await call("logs.tail", { runId: bad.id, limit: 100 }, "query"),
    ).lines;
    const line = lines.find((l) => l.stream === "system");
    expect(line?.text).toMatch(
      /the server refused 1 metric point\(s\) of this run .*epoch.*set aside in .*rejected\.jsonl on runner runner-under-test/,
    );
  }, 60_000);

  it("sends each metric entry with its attempt: a lost attempt's replayed points do not replace the next one's", async () => {
    const call = (procedure: string, input: unknown, method: "query" | "mutation" = "mutation") =>
      callProcedure(server, server.adminToken, procedure, input, method);
    const run = dataOf<{ id: string }>(
      await call("queue.enqueue", {
        project: "outbox",
        queue: "attempts",
        spec: { kind: "command", command: "true" },
      }),
    );
    const { runnerId } = dataOf<{ runnerId: string }>(
      await call("runners.register", {
        name: "attempts-runner",
        queues: ["attempts"],
        capabilities: { hostname: "h", gpus: [], backends: ["cpu"], cpus: 1, memoryMb: 1 },
        slots: [{ index: 0, gpuIndices: [] }],
      }),
    );
    // Attempt 1 is handed back (queued again as attempt 2), and attempt 2 logs step 0.
    await call("runners.claim", { runnerId, slot: 0, waitMs: 0 });
    await call("runners.report", { runnerId, runId: run.id, outcome: "requeue" });
    expect(dataOf<{ id: string }>(await call("runners.claim", { runnerId, slot: 0, waitMs: 0 })).id).toBe(
      run.id,
    );
    await call("metrics.log", { runId: run.id, points: [{ key: "loss", step: 0, value: 2 }], attempt: 2 });
    const { trpc, close } = createTrpcClient({ url: server.url, token: server.adminToken });
    const outbox = createOutbox({
      dir: await mkdtemp(path.join(os.tmpdir(), "outbox-attempts-")),
      trpc,
      url: server.url,
      token: server.adminToken,
      log: pino({ level: "silent" }),
      runnerName: "runner-under-test",
    });
    try {
      // What attempt 1 left in a runner's spool, then attempt 2's next point, in one batch.
      outbox.append({
        t: "metrics",
        runId: run.id,
        points: [{ key: "loss", step: 0, value: 1 }],
        attempt: 1,
      });
      outbox.append({
        t: "metrics",
        runId: run.id,
        points: [{ key: "loss", step: 1, value: 1 }],
        attempt: 1,
      });
      outbox.append({
        t: "metrics",
        runId: run.id,
        points: [{ key: "loss", step: 1, value: 3 }],
        attempt: 2,
      });
      expect(await outbox.drained(30_000)).toBe(true);
    } finally {
      await outbox.close();
      close();
    }
    const [series] = dataOf<{ steps: number[]; values: number[]; attempts: number[] }[]>(
      await call("metrics.series", { runIds: [run.id], keys: ["loss"] }, "query"),
    );
    expect(series).toMatchObject({ steps: [0, 1], values: [2, 3], attempts: [2, 2] });
  }, 60_000);
});
