import { runnersRegisterInput } from "@labtrack/schemas";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DB_KINDS, startTestServer, type TestServer } from "../test-support/test-server.ts";
import { reapExpiredLeases } from "./lease-reaper.ts";

describe.each(DB_KINDS)("lease reaper on %s", (kind) => {
  let server: TestServer;
  const leaseMs = 300;

  beforeAll(async () => {
    // The background reaper is kept out of the way (long interval) so each test drives it.
    server = await startTestServer(kind, {
      queueSettings: { leaseMs, heartbeatMs: 100, reaperIntervalMs: 60_000 },
    });
  });
  afterAll(() => server.close());

  const setup = async (name: string, maxAttempts: number) => {
    const run = await server.services.queue.enqueue(
      {
        project: "reap",
        tags: [],
        config: {},
        spec: { kind: "command", command: "true", env: {} },
        queue: name,
        priority: 0,
        requirements: { gpus: 0, labels: [] },
        maxAttempts,
      },
      "test",
    );
    const { runnerId } = await server.services.runners.register(
      runnersRegisterInput.parse({
        name,
        queues: [name],
        capabilities: { hostname: "h", gpus: [], backends: ["cpu"], cpus: 1, memoryMb: 1 },
        slots: [{ index: 0, gpuIndices: [] }],
      }),
      { tokenId: null, scope: "admin" },
    );
    const claimed = await server.services.runners.claim({ runnerId, slot: 0, waitMs: 0 });
    expect(claimed?.id).toBe(run.id);
    return { runId: run.id, runnerId };
  };
  const reap = () => reapExpiredLeases(server.database, server.services.runs, server.services.queue.signal);
  const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

  it("leaves runs alone while heartbeats extend their lease", async () => {
    const { runId, runnerId } = await setup("alive", 3);
    for (let i = 0; i < 4; i++) {
      await sleep(leaseMs / 2);
      const answer = await server.services.runners.heartbeat({ runnerId, runIds: [runId], gpus: [] });
      expect(answer).toEqual({ cancel: [], release: [] });
    }
    await reap();
    expect((await server.services.runs.get(runId)).status).toBe("running");
    const done = await server.services.runners.report({ runnerId, runId, outcome: "succeeded", exitCode: 0 });
    expect(done).toMatchObject({ status: "succeeded", results: { exit_code: 0 } });
  });

  it("turns an expired lease into lost, then queues the run again with the next attempt", async () => {
    const { runId, runnerId } = await setup("dies", 3);
    await sleep(leaseMs + 100);
    expect(await reap()).toBe(1);
    const run = await server.services.runs.get(runId);
    expect(run).toMatchObject({ status: "queued", attempt: 2, runner: null });
    const events = await server.services.runs.events(runId);
    expect(events.map((e) => e.to)).toEqual(["queued", "running", "lost", "queued"]);
    expect(events[2]?.reason).toMatch(/lease expired: runner dies/);
    // The old holder is told to let go when it comes back.
    expect(await server.services.runners.heartbeat({ runnerId, runIds: [runId], gpus: [] })).toEqual({
      cancel: [],
      release: [runId],
    });
  });

  it("fails a run that has used its last attempt", async () => {
    const { runId } = await setup("last-try", 1);
    await sleep(leaseMs + 100);
    await reap();
    const run = await server.services.runs.get(runId);
    expect(run.status).toBe("failed");
    expect(run.error).toMatch(/max attempts \(1\) reached/);
  });

  it("ends a run being canceled as canceled when its runner is gone", async () => {
    const { runId } = await setup("cancel-gone", 3);
    await server.services.queue.cancel(runId, "test");
    await sleep(leaseMs + 100);
    await reap();
    expect((await server.services.runs.get(runId)).status).toBe("canceled");
  });
});
